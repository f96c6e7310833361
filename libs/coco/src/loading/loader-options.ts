/** Options of the data loaders, their defaults, and their checks (one place). */
import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_PIXELS } from '../images/decode';
import { CocoOptionError } from '../errors';
import type { SubsetOptions } from '../annotations/subset';
import type { ColorJitterOptions } from '../images/transforms';
import type { CategoryMap } from '../annotations/category-map';

export interface DataLoaderOptions extends SubsetOptions {
  /** Images per batch (the last batch of an epoch may be smaller unless `dropLast`). */
  batchSize: number;
  /** Target shorter side; a list means multi-scale training (one drawn per image). Default 800. */
  shortSide?: number | readonly number[];
  /** Cap on the longer side after resizing. Default 1333. */
  maxSize?: number;
  /** Batches are padded (bottom/right) to a multiple of this: 128, the P7 stride. */
  padMultiple?: number;
  /** Probability of a horizontal flip per image. Default 0.5. */
  hflip?: number;
  /** Extra random factor on the resize scale, drawn from [lo, hi]. Default none. */
  scaleJitter?: readonly [number, number] | null;
  /** Brightness / contrast / saturation jitter strengths. Default none. */
  colorJitter?: ColorJitterOptions | null;
  /** Seed of every random choice: the same (seed, epoch) gives the same batches. Default 0. */
  seed?: number;
  /** Shuffle the images each epoch. Default true. */
  shuffle?: boolean;
  /** Batch landscape and portrait images separately (less padding). Default true. */
  aspectGrouping?: boolean;
  /**
   * How many images are decoded at the same time. sharp decodes on libuv's thread pool, off the
   * main thread, so no worker_threads are started (they were measured to add nothing; see README).
   * Default: 2 × available cores.
   */
  workers?: number;
  /** How many batches are prepared ahead of the one being consumed (memory bound). Default 2. */
  prefetch?: number;
  /** Drop the last incomplete batch of each group. Default false. */
  dropLast?: boolean;
  /** Boxes whose width or height (input pixels, after transforms) is ≤ this are dropped. Default 0. */
  minBoxSize?: number;
  /** Refuse images with more pixels than this. Default 89,478,485 (PIL's limit). */
  maxPixels?: number;
  /** What to do with an image that cannot be decoded: 'throw' (default) or 'skip' (counted, warned). */
  onImageError?: 'throw' | 'skip';
  /** Receives one-line warnings (truncated images, skipped images). Default: console.warn. */
  onWarning?: (message: string) => void;
  /**
   * Class indices from this map instead of the dataset's own — a model's, when its training classes
   * score another file (validation). Annotations of categories outside it are left out of the targets.
   */
  categoryMap?: CategoryMap;
}

export type ResolvedOptions = Required<Omit<DataLoaderOptions, keyof SubsetOptions | 'shortSide' | 'categoryMap'>> & {
  shortSides: readonly number[];
};

export function resolveOptions(o: DataLoaderOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    batchSize: o.batchSize,
    shortSides: typeof o.shortSide === 'number' ? [o.shortSide] : (o.shortSide ?? [800]),
    maxSize: o.maxSize ?? 1333,
    padMultiple: o.padMultiple ?? 128,
    hflip: o.hflip ?? 0.5,
    scaleJitter: o.scaleJitter ?? null,
    colorJitter: o.colorJitter ?? null,
    seed: o.seed ?? 0,
    shuffle: o.shuffle ?? true,
    aspectGrouping: o.aspectGrouping ?? true,
    workers: o.workers ?? 2 * availableParallelism(),
    prefetch: o.prefetch ?? 2,
    dropLast: o.dropLast ?? false,
    minBoxSize: o.minBoxSize ?? 0,
    maxPixels: o.maxPixels ?? DEFAULT_MAX_PIXELS,
    onImageError: o.onImageError ?? 'throw',
    onWarning: o.onWarning ?? ((message) => console.warn(`warning: ${message}`)),
  };
  checkOptions(r);
  return r;
}

function checkOptions(r: ResolvedOptions): void {
  positiveInt('batchSize', r.batchSize);
  if (r.shortSides.length === 0) fail('shortSide', 'must name at least one size');
  r.shortSides.forEach((s) => positive('shortSide', s));
  positive('maxSize', r.maxSize);
  positiveInt('padMultiple', r.padMultiple);
  positiveInt('workers', r.workers);
  positiveInt('prefetch', r.prefetch);
  positiveInt('maxPixels', r.maxPixels);
  if (!Number.isInteger(r.seed)) fail('seed', `must be an integer (got ${r.seed})`);
  if (!(r.hflip >= 0 && r.hflip <= 1)) fail('hflip', `must be a probability in [0, 1] (got ${r.hflip})`);
  if (!(r.minBoxSize >= 0)) fail('minBoxSize', `must be >= 0 (got ${r.minBoxSize})`);
  const j = r.scaleJitter;
  if (j && !(j[0] > 0 && j[1] >= j[0])) fail('scaleJitter', `must be [lo, hi] with 0 < lo <= hi (got [${j.join(', ')}])`);
  for (const [k, v] of Object.entries(r.colorJitter ?? {})) {
    if (!(typeof v === 'number' && v >= 0)) fail(`colorJitter.${k}`, `must be >= 0 (got ${v})`);
  }
  if (r.onImageError !== 'throw' && r.onImageError !== 'skip') fail('onImageError', `must be 'throw' or 'skip' (got ${r.onImageError})`);
}

function positive(name: string, v: number): void {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) fail(name, `must be a positive number (got ${v})`);
}

function positiveInt(name: string, v: number): void {
  if (!(Number.isInteger(v) && v > 0)) fail(name, `must be a positive integer (got ${v})`);
}

function fail(name: string, problem: string): never {
  throw new CocoOptionError(name, problem);
}
