import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '@retina/errors';
import { checkRedis, parseQueueUrl, QUEUES, serveJobs, serveUntilStopped, timingOf, workerOptions, type WorkerFlags } from '@retina/queue';
import type { CliIo } from './io';
import { spawnCliRunner, type CliRunner } from '../study/runner';
import { readSweepConfig } from '../sweep/config';
import { runSweep } from '../sweep/sweep';
import { runTrainJob, type TrainJob, type TrainResult } from '../sweep/train-job';

interface SweepArgs {
  config: string;
  queue: string;
  out: string;
}

/** A sweep with runs that could not train. */
export class SweepFailedError extends UserError {}

/** `sweep CONFIG --queue URL --out DIR`: the grid's runs as train jobs, then the table. */
export function sweepCommand(io: CliIo): CommandModule<object, SweepArgs> {
  return {
    command: 'sweep <config>',
    describe: 'Train every run of a flag grid (YAML/JSON: base flags + grid) on the workers of a Redis queue, then print the sweep table; runs already under --out are skipped',
    builder: (y) =>
      y
        .positional('config', { type: 'string', demandOption: true, describe: 'sweep file: base (retina-train flags), grid (flag → values), optional name and eval (retina-eval flags)' })
        .option('queue', { type: 'string', demandOption: true, requiresArg: true, describe: 'the Redis of the queue: redis://HOST:PORT[/DB]' })
        .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'shared results directory (the same path on every worker): runs/<id>/, sweep.md, sweep.json' })
        .example('$0 sweep sweeps/lr.yaml --queue redis://redis:6379 --out /shared/sweeps/lr', 'one job per run; workers: retina-tools worker --queue redis://redis:6379'),
    handler: async (a) => {
      const config = readSweepConfig(a.config);
      const outcome = await runSweep(config, { queue: a.queue, out: a.out, log: (line) => io.stderr(`${line}\n`) });
      io.stdout(outcome.markdown);
      if (outcome.failed > 0) throw new SweepFailedError(`${outcome.failed} of ${outcome.rows.length} runs failed (their lines above; the table says why); submit the sweep again to retry them`);
    },
  };
}

type TrainWorkerArgs = WorkerFlags & { queue: string; concurrency: number; 'work-dir': string };

/** `worker --queue URL`: trains the runs of sweeps, one at a time, until SIGTERM / SIGINT. */
export function trainWorkerCommand(io: CliIo, runner: CliRunner = spawnCliRunner()): CommandModule<object, TrainWorkerArgs> {
  return {
    command: 'worker',
    describe: "Train the runs of `retina-tools sweep` from a Redis queue (each run with the built retina-train, on this machine's engine), uploading each run's results to the sweep's shared path",
    builder: (y) =>
      y
        .options(workerOptions())
        .option('work-dir', { type: 'string', default: join(tmpdir(), 'retina-sweep-work'), requiresArg: true, describe: 'local directory the runs train in before their upload' })
        .example('$0 worker --queue redis://redis:6379', 'one run at a time (training uses the whole machine: one GPU per run)'),
    handler: async (a) => {
      const address = parseQueueUrl(a.queue);
      await checkRedis(address);
      const log = (line: string) => io.stderr(`retina-tools worker: ${line}\n`);
      const server = await serveJobs<TrainJob, TrainResult>({
        address,
        queue: QUEUES.train,
        concurrency: a.concurrency,
        timing: timingOf(a),
        log,
        run: (job, context) => runTrainJob(job, runner, a['work-dir'], context, log),
      });
      log(`${server.name} takes jobs of queue '${QUEUES.train}' at ${address.display}`);
      await serveUntilStopped(server, log);
    },
  };
}
