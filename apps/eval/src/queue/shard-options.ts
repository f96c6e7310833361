/** The flags of `--model` mode that send its inference to the workers of a queue. */
import type { Options } from 'yargs';

const GROUP = 'Across workers (--model … --queue redis://HOST:PORT; workers: retina-eval worker):';

/** Images per job when `--job-size` is not given. */
export const DEFAULT_JOB_SIZE = 16;

export const shardOptions = {
  queue: { type: 'string', requiresArg: true, group: GROUP, describe: 'run the inference on the workers of this Redis queue (redis://HOST:PORT[/DB]); the paths of --model, --ann and --images must be readable by the workers (or --model an http(s) URL)' },
  'job-size': { type: 'number', default: DEFAULT_JOB_SIZE, requiresArg: true, group: GROUP, describe: 'images per job: a multiple of --batch-size, so that every job runs the batches one process would' },
} as const satisfies Record<string, Options>;

/** Flag combinations of sharded mode yargs cannot check; an error message or undefined. */
export function checkShardArgs(args: { queue?: string; 'job-size'?: number; 'batch-size'?: number; backend?: string }): string | undefined {
  if (args.queue === undefined) return undefined;
  const jobSize = args['job-size'] ?? DEFAULT_JOB_SIZE;
  const batch = args['batch-size'] ?? 1;
  if (!(Number.isInteger(jobSize) && jobSize >= 1)) return `--job-size must be a whole number ≥ 1 (got ${jobSize})`;
  if (jobSize % batch !== 0) return `--job-size (${jobSize}) must be a multiple of --batch-size (${batch}): a job runs whole batches, as one process does`;
  if (args.backend !== undefined && args.backend !== 'auto') return '--backend is a worker flag with --queue: the workers run the model (retina-eval worker --backend NAME)';
  return undefined;
}
