/**
 * Data loaders: per epoch a seeded order, batches decoded concurrently (bounded) and prefetched a
 * few batches ahead so that decoding overlaps training while memory stays bounded. A batch's content
 * depends only on (seed, epoch) and the options, never on which decode finishes first.
 */
import type { CategoryMap } from '../annotations/category-map';
import { collate, type Batch } from './collate';
import { Limiter } from './concurrency';
import type { CocoDataset } from '../annotations/dataset';
import { CocoError, CocoOptionError } from '../errors';
import { realRoot } from '../annotations/load';
import { resolveOptions, type DataLoaderOptions, type ResolvedOptions } from './loader-options';
import { loadSample, planSample, type PreparedSample, type SampleContext } from '../images/sample';
import { epochBatches } from './sampler';
import { selectSubset, withCategories, type SubsetOptions } from '../annotations/subset';
import type { DatasetImage } from '../types';

/** Counts accumulated over every epoch a loader has produced. */
export interface LoaderStats {
  batches: number;
  images: number;
  /** Boxes dropped because they became degenerate (≤ minBoxSize) after transforms. */
  droppedBoxes: number;
  /** Images skipped because they could not be decoded (onImageError: 'skip'). */
  skippedImages: number;
  /** Warnings passed to onWarning (e.g. truncated images). */
  warnings: number;
}

export interface DataLoader {
  /** Contiguous class indices of the labels this loader produces. */
  readonly categoryMap: CategoryMap;
  /** The images it iterates over (after subsetting). */
  readonly images: readonly DatasetImage[];
  readonly stats: LoaderStats;
  /** Number of batches epoch `epoch` yields (without skipped images). */
  numBatches(epoch: number): number;
  /** The batches of one epoch, prefetched. */
  epoch(epoch: number): AsyncIterable<Batch>;
}

export function createDataLoader(dataset: CocoDataset, options: DataLoaderOptions): DataLoader {
  const o = resolveOptions(options);
  const subset = selectSubset(dataset, options);
  if (subset.images.length === 0) throw new CocoOptionError('dataset', 'the selected subset has no images');
  const map = options.categoryMap;
  if (map === undefined) return new Loader(dataset.annotationFile, dataset.imagesRoot, subset.images, subset.categoryMap, o);
  return new Loader(dataset.annotationFile, dataset.imagesRoot, withCategories(subset.images, (id) => map.hasCocoId(id)), map, o);
}

/** Options of an evaluation loader: fixed size, no shuffle, flip or jitter. */
export interface EvalLoaderOptions extends SubsetOptions {
  batchSize?: number;
  shortSide?: number;
  maxSize?: number;
  padMultiple?: number;
  workers?: number;
  prefetch?: number;
  maxPixels?: number;
  onImageError?: 'throw' | 'skip';
  onWarning?: (message: string) => void;
  /** Class indices from this map (e.g. the model's) instead of the dataset's; see DataLoaderOptions. */
  categoryMap?: CategoryMap;
}

/** A loader for evaluation/inference: every image once, in dataset order, deterministic size. */
export function createEvalLoader(dataset: CocoDataset, options: EvalLoaderOptions = {}): DataLoader {
  return createDataLoader(dataset, {
    ...options,
    batchSize: options.batchSize ?? 1,
    hflip: 0,
    shuffle: false,
    aspectGrouping: false,
    dropLast: false,
    scaleJitter: null,
    colorJitter: null,
  });
}

class Loader implements DataLoader {
  readonly stats: LoaderStats = { batches: 0, images: 0, droppedBoxes: 0, skippedImages: 0, warnings: 0 };
  private readonly limiter: Limiter;
  private context: Promise<SampleContext> | null = null;

  constructor(
    private readonly annotationFile: string,
    private readonly imagesRoot: string,
    readonly images: readonly DatasetImage[],
    readonly categoryMap: CategoryMap,
    private readonly o: ResolvedOptions,
  ) {
    this.limiter = new Limiter(o.workers);
  }

  numBatches(epoch: number): number {
    return this.plan(epoch).length;
  }

  async *epoch(epoch: number): AsyncIterable<Batch> {
    const plan = this.plan(epoch);
    const queue: Promise<Batch | null>[] = [];
    let next = 0;
    const fill = (): void => {
      while (next < plan.length && queue.length < this.o.prefetch) {
        const pending = this.loadBatch(plan[next++], epoch);
        pending.catch(() => undefined); // a rejection surfaces when this batch is awaited below
        queue.push(pending);
      }
    };
    fill();
    while (queue.length > 0) {
      const batch = await (queue.shift() as Promise<Batch | null>);
      fill();
      if (batch) yield batch;
    }
  }

  private plan(epoch: number): DatasetImage[][] {
    const sizes = this.images.map((im) => ({ height: im.height, width: im.width }));
    return epochBatches(sizes, epoch, this.o).map((batch) => batch.map((i) => this.images[i]));
  }

  private async loadBatch(images: DatasetImage[], epoch: number): Promise<Batch | null> {
    const ctx = await this.sampleContext();
    const samples = await Promise.all(
      images.map((image) => this.limiter.run(() => this.loadOne(image, epoch, ctx))),
    );
    const loaded = samples.filter((s): s is PreparedSample => s !== null);
    if (loaded.length === 0) return null;
    for (const s of loaded) {
      this.stats.droppedBoxes += s.droppedBoxes;
      s.warnings.forEach((w) => this.warn(w));
    }
    this.stats.images += loaded.length;
    this.stats.batches++;
    return collate(loaded, this.o.padMultiple);
  }

  private async loadOne(image: DatasetImage, epoch: number, ctx: SampleContext): Promise<PreparedSample | null> {
    try {
      return await loadSample(planSample(image, this.o.seed, epoch, this.o), ctx);
    } catch (err) {
      if (this.o.onImageError !== 'skip' || !(err instanceof CocoError)) throw err;
      this.stats.skippedImages++;
      this.warn(`skipped image ${image.id}: ${err.message}`);
      return null;
    }
  }

  private warn(message: string): void {
    this.stats.warnings++;
    this.o.onWarning(message);
  }

  private sampleContext(): Promise<SampleContext> {
    this.context ??= realRoot(this.imagesRoot).then((root) => ({
      annotationFile: this.annotationFile,
      realRoot: root,
      categoryMap: this.categoryMap,
      maxSize: this.o.maxSize,
      maxPixels: this.o.maxPixels,
      minBoxSize: this.o.minBoxSize,
    }));
    return this.context;
  }
}
