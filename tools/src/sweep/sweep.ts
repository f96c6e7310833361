/**
 * `retina-tools sweep CONFIG --queue redis://… --out DIR`: one train job per run of the grid that has
 * no result under DIR yet; once every job has reported, the sweep table of all the runs (sweep.md,
 * sweep.json). Submitting the same sweep again skips the runs already there, and joins those still
 * queued or running.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@retina/engine/node';
import { parseQueueUrl, QUEUES, runJobs, type JobSpec } from '@retina/queue';
import type { SweepConfig } from './config';
import { planRuns } from './plan';
import { readRunResult, sweepMarkdown, sweepRows, type SweepRow } from './results';
import type { TrainJob, TrainResult } from './train-job';

export interface SweepOptions {
  readonly queue: string;
  /** The shared results root (the workers write `<out>/runs/<id>/`). */
  readonly out: string;
  readonly log: (line: string) => void;
}

export interface SweepOutcome {
  readonly rows: SweepRow[];
  /** The runs this submission trained (the others were there already). */
  readonly trained: number;
  readonly skipped: number;
  /** Runs whose worker reported a user error or that failed on every attempt. */
  readonly failed: number;
  readonly markdown: string;
}

/** The job id of a run: its id and the results root (two sweeps writing elsewhere never share a job). */
const jobId = (out: string, runId: string): string => `sweep-${runId}-${createHash('sha256').update(out).digest('hex').slice(0, 6)}`;

export async function runSweep(config: SweepConfig, options: SweepOptions): Promise<SweepOutcome> {
  const address = parseQueueUrl(options.queue);
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const plan = planRuns(config);
  const todo = plan.filter((run) => readRunResult(out, run.id) === undefined);
  options.log(`sweep ${config.name}: ${plan.length} runs, ${plan.length - todo.length} already in ${out}, ${todo.length} to train on queue '${QUEUES.train}' at ${address.display}`);
  const errors = new Map<string, string>();
  if (todo.length > 0) {
    const jobs: JobSpec<TrainJob>[] = todo.map((run) => ({ id: jobId(out, run.id), data: { run, out } }));
    let reported = 0;
    await runJobs<TrainJob, TrainResult>(jobs, {
      address,
      queue: QUEUES.train,
      keepGoing: true,
      log: options.log,
      workerHint: `retina-tools worker --queue ${address.display}`,
      onOutcome: (index, outcome) => {
        const run = todo[index];
        reported++;
        if (outcome.ok) options.log(`${reported}/${todo.length} ${run.id}: done on ${outcome.worker} in ${outcome.value.seconds.toFixed(0)} s`);
        else {
          errors.set(run.id, outcome.error);
          options.log(`${reported}/${todo.length} ${run.id}: ${outcome.error} (on worker ${outcome.worker})`);
        }
      },
    });
  }
  const rows = sweepRows(plan, out, errors);
  const flags = Object.keys(config.grid);
  const markdown = sweepMarkdown(rows, flags);
  await writeFileAtomic(join(out, 'sweep.md'), `# sweep ${config.name}\n\n${markdown}`);
  await writeFileAtomic(join(out, 'sweep.json'), `${JSON.stringify({ name: config.name, grid: flags, runs: rows }, null, 2)}\n`);
  options.log(`wrote ${join(out, 'sweep.md')} and sweep.json`);
  return { rows, trained: todo.length - errors.size, skipped: plan.length - todo.length, failed: errors.size, markdown };
}
