/**
 * `retina-eval --model … --queue redis://…`: the inference runs on the workers of the queue, a job of
 * `--job-size` images at a time; this process lists the images exactly as one process would, gathers
 * each job's detections, puts them back in that order, and scores them once with the code of the
 * one-process run (model-score.ts) — so `--out` and `--json` come out byte for byte the same.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { loadCocoDataset } from '@retina/coco';
import { UserError } from '@retina/errors';
import { checkRedis, parseQueueUrl, QUEUES, runJobs, type JobOutcome } from '@retina/queue';
import type { RetinaNetConfig } from '@retina/retinanet';
import { readRetinaNetConfig } from '@retina/retinanet/node';
import { resolveCategoryIds } from '../categories';
import { evaluationImages } from '../detect-images';
import { testSize } from '../inference-options';
import type { CliIo } from '../io';
import type { ModelArgs } from '../model-mode';
import { scoreDetections } from '../model-score';
import { planDetectJobs, type DetectJob, type DetectResult } from './detect-job';
import { fetchModel, isModelUrl, jobModelSource } from './model-source';
import { DEFAULT_JOB_SIZE } from './shard-options';

/** A job of this run that ended with a user error on its worker (e.g. an image it cannot read). */
export class WorkerReportedError extends UserError {}

/** The config of the model at `url` (its model.json alone). */
async function configAt(url: string): Promise<RetinaNetConfig> {
  const dir = await fetchModel(url, tmpdir(), { weights: false });
  try {
    return readRetinaNetConfig(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runModelSharded(args: ModelArgs, io: CliIo): Promise<number> {
  const address = parseQueueUrl(args.queue as string);
  await checkRedis(address); // before anything is read: an unreachable Redis is reported at once
  const model = jobModelSource(args.model as string);
  const config = isModelUrl(model) ? await configAt(model) : readRetinaNetConfig(model);
  const categoryIds = args.categories?.length ? resolveCategoryIds(args.categories, config.categories ?? [], 'the model') : undefined;
  const dataset = await loadCocoDataset(args.ann as string, args.images as string);
  const size = testSize(args, { config });
  io.err(`retina-eval: ${size.describe}`);
  const batchSize = args['batch-size'];
  const images = evaluationImages(dataset, { batchSize, imageIds: args['image-ids'], maxImages: args['max-images'] });
  const imageIds = images.map((im) => im.id);
  const jobSize = args['job-size'] ?? DEFAULT_JOB_SIZE;
  const run = `eval-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const jobs = planDetectJobs(run, imageIds, jobSize, {
    model,
    ann: resolve(args.ann as string),
    images: resolve(args.images as string),
    batchSize,
    shortSide: size.shortSide,
    maxSize: size.maxSize,
  });
  io.err(`retina-eval: ${imageIds.length} images in ${jobs.length} jobs of up to ${jobSize} on queue '${QUEUES.detect}' at ${address.display}`);
  const bar = args.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'detect {bar} {value}/{total} jobs | ETA {eta_formatted}' }, Presets.shades_classic);
  bar?.start(jobs.length, 0);
  const t0 = performance.now();
  let done = 0;
  const outcomes = await runJobs<DetectJob, DetectResult>(jobs, {
    address,
    queue: QUEUES.detect,
    log: (line) => io.err(`retina-eval: ${line}`),
    workerHint: `retina-eval worker --queue ${address.display}`,
    onOutcome: (_, outcome) => {
      bar?.update(++done);
      return !outcome.ok; // one job that cannot run its input is enough: the run fails as one process would
    },
  }).finally(() => bar?.stop());
  const results = gathered(outcomes, io);
  const detections = results.flatMap((r) => r.detections);
  const workers = new Set(outcomes.map((o) => o?.worker)).size;
  const engines = [...new Set(results.map((r) => r.engine))];
  io.err(`retina-eval: ${detections.length} detections on ${imageIds.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s (${jobs.length} jobs on ${workers} workers; engine ${engines.join(', ')})`);
  if (engines.length > 1) io.err(`retina-eval: warning: the workers ran different engines (${engines.join(', ')}): scores may differ in their last digits from one engine's`);
  await scoreDetections(args, detections, imageIds, categoryIds, io);
  return 0;
}

/**
 * Every job's result in job order, its loader warnings printed in that order.
 * @throws WorkerReportedError with the first user error a worker reported, naming the worker
 */
function gathered(outcomes: readonly (JobOutcome<DetectResult> | undefined)[], io: CliIo): DetectResult[] {
  const failed = outcomes.find((o) => o !== undefined && !o.ok);
  if (failed && !failed.ok) throw new WorkerReportedError(`${failed.error} (on worker ${failed.worker})`);
  return outcomes.map((o) => {
    if (!o?.ok) throw new Error('a job without an outcome although none failed');
    o.value.warnings.forEach((w) => io.err(`retina-eval: warning: ${w}`));
    return o.value;
  });
}
