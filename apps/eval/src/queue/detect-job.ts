/**
 * The detect job: a run of consecutive images of the evaluated list, whole batches of it, so that a
 * worker forward-passes exactly the batches (same images, same padding) one process would, and the
 * detections come back bit for bit the same.
 */
import { rmSync, statSync } from 'node:fs';
import { loadCocoDataset, type CocoDataset } from '@retina/coco';
import type { CocoResult } from '@retina/coco-eval';
import { loadRetinaNet, type RetinaNet } from '@retina/retinanet/node';
import type { JobContext, JobSpec } from '@retina/queue';
import { detectImages } from '../detect-images';
import { fetchModel, isModelUrl, modelStamp } from './model-source';

/** What a worker needs to run one slice of an evaluation (JSON). */
export interface DetectJob {
  /** Model directory (absolute) or http(s) URL. */
  readonly model: string;
  /** COCO annotation file and images root (absolute; the same paths on every worker). */
  readonly ann: string;
  readonly images: string;
  /** The slice: consecutive images of the evaluated list, in that order. */
  readonly imageIds: readonly number[];
  readonly batchSize: number;
  readonly shortSide: number;
  readonly maxSize: number;
}

/** A slice's detections (image after image, as one process gives them) and what the worker said. */
export interface DetectResult {
  readonly detections: CocoResult[];
  /** Loader warnings (e.g. a truncated image), for the submitter to print. */
  readonly warnings: string[];
  /** The engine that ran, e.g. `wasm`. */
  readonly engine: string;
  readonly seconds: number;
}

/**
 * Cuts `imageIds` into jobs of `jobSize` consecutive images (the last one shorter).
 * @param jobSize a multiple of `base.batchSize` (checked by the CLI), so that batches never straddle two jobs
 */
export function planDetectJobs(prefix: string, imageIds: readonly number[], jobSize: number, base: Omit<DetectJob, 'imageIds'>): JobSpec<DetectJob>[] {
  const jobs: JobSpec<DetectJob>[] = [];
  for (let start = 0; start < imageIds.length; start += jobSize) {
    jobs.push({ id: `${prefix}-${jobs.length}`, data: { ...base, imageIds: imageIds.slice(start, start + jobSize) } });
  }
  return jobs;
}

/** A worker's loaded model and dataset, kept from one job to the next while they stay the same. */
export class DetectCache {
  private model?: { key: string; net: RetinaNet };
  private dataset?: { key: string; dataset: CocoDataset };
  private readonly fetched = new Map<string, string>();

  constructor(private readonly cacheRoot: string) {}

  async net(source: string): Promise<RetinaNet> {
    const dir = isModelUrl(source) ? await this.download(source) : source;
    const key = modelStamp(dir);
    if (this.model?.key !== key) {
      this.model?.net.dispose();
      this.model = undefined;
      this.model = { key, net: await loadRetinaNet(dir) };
    }
    return this.model.net;
  }

  async data(ann: string, images: string): Promise<CocoDataset> {
    const key = `${ann}@${statSync(ann, { throwIfNoEntry: false })?.mtimeMs}\n${images}`;
    if (this.dataset?.key !== key) this.dataset = { key, dataset: await loadCocoDataset(ann, images) };
    return this.dataset.dataset;
  }

  /** Frees the model and removes the downloaded ones. */
  dispose(): void {
    this.model?.net.dispose();
    this.model = undefined;
    for (const dir of this.fetched.values()) rmSync(dir, { recursive: true, force: true });
    this.fetched.clear();
  }

  /** A URL is read once per worker process, into a directory of this process's own. */
  private async download(url: string): Promise<string> {
    const known = this.fetched.get(url);
    if (known !== undefined) return known;
    const dir = await fetchModel(url, this.cacheRoot);
    this.fetched.set(url, dir);
    return dir;
  }
}

/** Runs one detect job on this worker's engine; says when it starts (and how often it started before) and ends. */
export async function runDetectJob(job: DetectJob, cache: DetectCache, engine: string, context: JobContext, log: (line: string) => void): Promise<DetectResult> {
  const again = context.starts > 1 ? `, start ${context.starts}: taken over from a lost worker or a failed attempt` : '';
  log(`job ${context.id}: ${job.imageIds.length} images${again}`);
  const t0 = performance.now();
  const net = await cache.net(job.model);
  const dataset = await cache.data(job.ann, job.images);
  const warnings: string[] = [];
  const detections = await detectImages(net, dataset, job, { onWarning: (m) => warnings.push(m) });
  const seconds = (performance.now() - t0) / 1000;
  log(`job ${context.id}: ${detections.length} detections in ${seconds.toFixed(2)} s`);
  return { detections, warnings, engine, seconds };
}
