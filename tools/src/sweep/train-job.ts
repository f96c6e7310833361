/**
 * The train job: one whole retina-train run (and its retina-eval, if the sweep evaluates), trained by a
 * worker in a directory of its own, then uploaded to the shared path the submitter gave: the run's
 * results appear there complete or not at all (a staging directory renamed into place).
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JobContext } from '@retina/queue';
import type { CliRunner } from '../study/runner';
import { finalMetrics, RESULT_FILE, runDirectory, type FinalMetrics, type RunResult } from './results';
import type { SweepRun } from './plan';

/** What a worker needs to run one sweep run (JSON). */
export interface TrainJob {
  readonly run: SweepRun;
  /** The sweep's shared results root (absolute; the same path on every worker). */
  readonly out: string;
}

/** What the worker reports: the run's final numbers (also in result.json). */
export interface TrainResult {
  readonly metrics: FinalMetrics;
  readonly seconds: number;
}

/** Files of the run directory that are uploaded (model/ is a directory). */
const UPLOADED = ['metrics.jsonl', 'eval.json', 'train.log', 'eval.log', 'model'];

/**
 * Trains `job.run` in `workDir/<id>-<pid>` with `runner` (retina-train, then retina-eval), uploads the
 * results, writes result.json, and removes the local directory.
 * A run that exits 2 (a user error: a bad flag, a missing file) rejects with that UserError; any other
 * failure rejects with an Error, and the job is tried again.
 */
export async function runTrainJob(job: TrainJob, runner: CliRunner, workDir: string, context: JobContext, log: (line: string) => void): Promise<TrainResult> {
  const { run } = job;
  const local = resolve(workDir, `${run.id}-${process.pid}`);
  rmSync(local, { recursive: true, force: true });
  mkdirSync(local, { recursive: true });
  const again = context.starts > 1 ? ` (start ${context.starts}: taken over from a lost worker or a failed attempt)` : '';
  log(`job ${context.id}: training ${run.id}${again}`);
  const t0 = performance.now();
  try {
    const runDir = join(local, 'run');
    await runner({ cli: 'retina-train', args: [...run.trainArgs, '--out', runDir], log: join(local, 'train.log') });
    cpSync(join(local, 'train.log'), join(runDir, 'train.log'));
    if (run.evalArgs) {
      await runner({ cli: 'retina-eval', args: ['--model', join(runDir, 'model'), ...run.evalArgs, '--json', join(runDir, 'eval.json')], log: join(local, 'eval.log') });
      cpSync(join(local, 'eval.log'), join(runDir, 'eval.log'));
    }
    const seconds = (performance.now() - t0) / 1000;
    const metrics = finalMetrics(runDir);
    upload(runDir, runDirectory(job.out, run.id), { id: run.id, values: run.values, trainArgs: run.trainArgs, metrics, worker: context.worker, seconds });
    log(`job ${context.id}: ${run.id} done in ${seconds.toFixed(1)} s, uploaded to ${runDirectory(job.out, run.id)}`);
    return { metrics, seconds };
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
}

/** Copies the run's results to `target` through a staging directory beside it, result.json last, then renames it into place. */
function upload(runDir: string, target: string, result: RunResult): void {
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const name of UPLOADED) if (existsSync(join(runDir, name))) cpSync(join(runDir, name), join(staging, name), { recursive: true });
  writeFileSync(join(staging, RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}
