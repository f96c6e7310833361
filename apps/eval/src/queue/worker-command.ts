/**
 * `retina-eval worker --queue redis://HOST:PORT`: takes detect jobs from the queue until stopped
 * (SIGTERM / SIGINT: the running job finishes first), on this machine's engine.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv, CommandModule, InferredOptionTypes, Options } from 'yargs';
import { ENGINE_ORDER, selectEngine } from '@retina/engine/node';
import { UserError } from '@retina/errors';
import { checkRedis, parseQueueUrl, QUEUES, serveJobs, serveUntilStopped, timingOf, workerOptions } from '@retina/queue';
import type { Runner } from '../evaluate-command';
import { checkPositive } from '../inference-options';
import type { CliIo } from '../io';
import { DetectCache, runDetectJob, type DetectJob, type DetectResult } from './detect-job';

const NAME = 'retina-eval worker';

export const workerCommandOptions = {
  ...workerOptions(),
  backend: { choices: ['auto', ...ENGINE_ORDER], default: 'auto', describe: 'tensor engine (auto: the fastest that loads); every worker of a run should run the same one' },
  cache: { type: 'string', default: join(tmpdir(), 'retina-eval-models'), requiresArg: true, describe: 'where models given as URLs are downloaded' },
  quiet: { type: 'boolean', default: false, describe: 'no line per job' },
} as const satisfies Record<string, Options>;

export type WorkerArgs = InferredOptionTypes<typeof workerCommandOptions>;

export const workerExamples: readonly [string, string][] = [
  ['$0 worker --queue redis://localhost:6379', 'serve detect jobs of `retina-eval --model … --queue redis://localhost:6379`'],
  ['$0 worker --queue redis://redis:6379 --backend wasm --lock-duration 10000 --stalled-interval 5000', "a killed worker's job runs again elsewhere within about 15 s"],
];

export function workerCommand(select: (runner: Runner) => void): CommandModule<object, WorkerArgs> {
  return {
    command: 'worker',
    describe: 'Run the detect jobs of `retina-eval --model … --queue URL` (any number of workers, anywhere that reads the same paths)',
    builder: (y: Argv): Argv<WorkerArgs> => workerExamples.reduce((argv, [cmd, desc]) => argv.example(cmd, desc), y.options(workerCommandOptions)) as Argv<WorkerArgs>,
    handler: (args) => {
      const problem = checkPositive(args, ['concurrency', 'lock-duration', 'stalled-interval']);
      if (problem !== undefined) throw new UserError(problem);
      select((io) => runWorker(args, io));
    },
  };
}

/** Serves detect jobs until a signal stops it (exit 0) or Redis is lost for good (exit 2). */
export async function runWorker(args: WorkerArgs, io: CliIo): Promise<number> {
  const address = parseQueueUrl(args.queue);
  await checkRedis(address); // before the engine loads: an unreachable Redis is reported at once
  const engine = await selectEngine({ backend: args.backend as never });
  io.err(`${NAME}: ${engine.describe()}`);
  const cache = new DetectCache(args.cache);
  const log = (line: string) => io.err(`${NAME}: ${line}`);
  const server = await serveJobs<DetectJob, DetectResult>({
    address,
    queue: QUEUES.detect,
    concurrency: args.concurrency,
    timing: timingOf(args),
    log,
    run: (job, context) => runDetectJob(job, cache, engine.engine, context, args.quiet ? () => undefined : log),
  });
  log(`${server.name} takes jobs of queue '${QUEUES.detect}' at ${address.display}`);
  try {
    await serveUntilStopped(server, log);
    return 0;
  } finally {
    cache.dispose();
  }
}
