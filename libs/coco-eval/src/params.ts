import { CocoEvalInputError, describeValue } from './errors';

/** An object-area range; bounds are inclusive on both ends, as in the reference. */
export interface AreaRange {
  readonly label: 'all' | 'small' | 'medium' | 'large';
  readonly min: number;
  readonly max: number;
}

/**
 * `numpy.linspace(start, stop, num)` value for value: `i * step + start`, the last one set to `stop`.
 * The reference builds its thresholds this way, and `0.75` must compare equal to one of them.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/** IoU thresholds .50:.05:.95. */
export const DEFAULT_IOU_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, 10);
/** Recall thresholds 0:.01:1 at which interpolated precision is sampled. */
export const RECALL_THRESHOLDS: readonly number[] = linspace(0, 1, 101);
/** Detections kept per image for the AR1 / AR10 / AR100 numbers. */
export const DEFAULT_MAX_DETS: readonly number[] = [1, 10, 100];
/** 1e5² stands for "no upper bound", exactly as in the reference. */
const NO_LIMIT = 1e5 ** 2;
export const AREA_RANGES: readonly AreaRange[] = [
  { label: 'all', min: 0, max: NO_LIMIT },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: NO_LIMIT },
];

/** Options of `evaluateBbox`. Every field is optional. */
export interface EvaluateBboxOptions {
  /** Evaluate only these image ids (default: every image of the ground truth). */
  readonly imageIds?: readonly number[];
  /** Evaluate only these category ids (default: every category of the ground truth). */
  readonly categoryIds?: readonly number[];
  /** Pool all categories into one, ignoring labels (the reference's `useCats = 0`). Default false. */
  readonly classAgnostic?: boolean;
  /** IoU thresholds, each in (0, 1] (default .50:.05:.95). AP50 / AP75 are −1 without 0.5 / 0.75. */
  readonly iouThresholds?: readonly number[];
  /** Detections kept per image (default [1, 10, 100]); sorted ascending, the largest cuts per image. */
  readonly maxDets?: readonly number[];
  /** Score threshold for the per-class precision / recall / F1 operating point (default 0.5). */
  readonly scoreThreshold?: number;
  /** Names of the two inputs in error messages, e.g. their file paths. */
  readonly sourceNames?: { readonly groundTruth?: string; readonly detections?: string };
}

/** The resolved parameters of one evaluation (the reference's `Params`). */
export interface EvalParams {
  /** Evaluated image ids, ascending. */
  readonly imageIds: readonly number[];
  /** Evaluated category ids, ascending (pooled into one in class-agnostic mode). */
  readonly categoryIds: readonly number[];
  readonly categoryNames: readonly string[];
  readonly classAgnostic: boolean;
  readonly iouThresholds: readonly number[];
  readonly recallThresholds: readonly number[];
  readonly areaRanges: readonly AreaRange[];
  /** Ascending. */
  readonly maxDets: readonly number[];
  readonly scoreThreshold: number;
}

const OPTIONS = 'options';

function checkNumberList(name: string, values: readonly number[], ok: (v: number) => boolean, rule: string): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new CocoEvalInputError(OPTIONS, name, `must be a non-empty list of numbers (got ${describeValue(values)})`);
  }
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !ok(v)) {
      throw new CocoEvalInputError(OPTIONS, `${name}[${i}]`, `must be ${rule} (got ${describeValue(v)})`);
    }
  });
}

const ascendingUnique = (values: readonly number[]): number[] =>
  [...new Set(values)].sort((a, b) => a - b);

/** The IoU thresholds, maxDets and score threshold of `opts`, validated, with the defaults filled in. */
export function resolveThresholds(
  opts: EvaluateBboxOptions,
): Pick<EvalParams, 'iouThresholds' | 'maxDets' | 'scoreThreshold'> {
  const iouThresholds = opts.iouThresholds ?? DEFAULT_IOU_THRESHOLDS;
  checkNumberList('iouThresholds', iouThresholds, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const maxDets = opts.maxDets ?? DEFAULT_MAX_DETS;
  checkNumberList('maxDets', maxDets, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  const scoreThreshold = opts.scoreThreshold ?? 0.5;
  if (typeof scoreThreshold !== 'number' || !Number.isFinite(scoreThreshold)) {
    throw new CocoEvalInputError(OPTIONS, 'scoreThreshold', `must be a finite number (got ${describeValue(scoreThreshold)})`);
  }
  return { iouThresholds: [...iouThresholds], maxDets: ascendingUnique(maxDets), scoreThreshold };
}

/**
 * The evaluated subset: `wanted` (ascending, de-duplicated) when given, else all of `available`.
 * Every wanted id must be one of `available`.
 */
export function resolveSubset(name: string, wanted: readonly number[] | undefined, available: readonly number[]): number[] {
  if (wanted === undefined) return ascendingUnique(available);
  if (!Array.isArray(wanted)) {
    throw new CocoEvalInputError(OPTIONS, name, `must be a list of ids (got ${describeValue(wanted)})`);
  }
  const known = new Set(available);
  wanted.forEach((id, i) => {
    if (!known.has(id)) {
      throw new CocoEvalInputError(OPTIONS, `${name}[${i}]`, `${describeValue(id)} is not ${name === 'imageIds' ? 'an image' : 'a category'} id of the ground truth`);
    }
  });
  return ascendingUnique(wanted);
}
