/**
 * A worker process for the specs: takes jobs `{ value, ms }` from the queue named by argv[3] on the
 * Redis of argv[2], answers `value * 2` after `ms`, and prints `started <id>` when it takes one.
 */
import { parseQueueUrl, serveJobs } from '../index';

const [url, queue] = process.argv.slice(2);
void serveJobs<{ value: number; ms: number }, number>({
  address: parseQueueUrl(url),
  queue,
  timing: { lockDuration: 1000, stalledInterval: 500, maxStalledCount: 2 },
  run: async ({ value, ms }, { id }) => {
    process.stdout.write(`started ${id}\n`);
    await new Promise((r) => setTimeout(r, ms));
    return value * 2;
  },
}).then(() => process.stdout.write('ready\n'));
