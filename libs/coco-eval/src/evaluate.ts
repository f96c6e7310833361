import { CellMatcher } from './match';
import { detectionOrder, groundTruthOrder, groupByKey, identity } from './order';
import type { EvalParams } from './params';
import type { PreparedInputs } from './prepare';

export { DetectionState } from './match';

/**
 * Per-image matching results (the reference's `evalImgs`), as flat typed arrays indexed by a
 * detection's position in the pooled order: grouped by category, then by score (highest first),
 * then image and input order — the order `accumulate` consumes them in. N is the number of evaluated
 * detections, K of evaluated categories (1 when class-agnostic), A of area ranges, T of IoU thresholds.
 */
export interface ImageEvaluation {
  readonly params: EvalParams;
  readonly numCategories: number;
  /** [N] the detection (row of the prepared detection table) at each position. */
  readonly order: Uint32Array;
  /** [K + 1] first position of each category. */
  readonly categoryStart: Uint32Array;
  /** [N] rank in its image (and category) by score; ranks ≥ the largest maxDets are cut. */
  readonly rank: Uint32Array;
  /** [N] score at each position (non-increasing within a category). */
  readonly scores: Float64Array;
  /** [A, T, N] a `DetectionState` per area range, IoU threshold and position. */
  readonly states: Uint8Array;
  /** [K, A] non-ignored ground-truth boxes: the recall denominator. */
  readonly numGt: Uint32Array;
  /** [K] detections per category, before any cut. */
  readonly numDt: Uint32Array;
}

function gather(values: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

function gatherInt(values: Int32Array, rows: Uint32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

/**
 * Stage 1 of 3 (the reference's `evaluate`): per image and category, sorts detections by score,
 * keeps the top max(maxDets), computes IoUs and greedily matches them to ground truth at every IoU
 * threshold and area range (non-ignored boxes first; crowd regions can absorb many detections).
 */
export function evaluateImages(prepared: PreparedInputs): ImageEvaluation {
  const { params, gt, dt } = prepared;
  const numImages = params.imageIds.length;
  const numClasses = params.categoryIds.length;
  const K = params.classAgnostic ? 1 : numClasses;
  const numAreas = params.areaRanges.length;
  const evalCategory = (categoryIndex: Int32Array): Int32Array => (params.classAgnostic ? new Int32Array(categoryIndex.length) : categoryIndex);
  const dtEval = evalCategory(dt.categoryIndex);
  const gtEval = evalCategory(gt.categoryIndex);
  const gtRows = new Uint32Array(gt.count);
  const gtStart = groupByKey(groundTruthOrder(gt.categoryIndex, numClasses), gtEval, K, gtRows);
  const order = new Uint32Array(dt.count);
  const categoryStart = groupByKey(detectionOrder(dtEval, K, dt.scores, dt.imageIndex, numImages, dt.categoryIndex, numClasses), dtEval, K, order);
  const out: ImageEvaluation = {
    params,
    numCategories: K,
    order,
    categoryStart,
    rank: new Uint32Array(dt.count),
    scores: gather(dt.scores, order),
    states: new Uint8Array(numAreas * params.iouThresholds.length * dt.count),
    numGt: new Uint32Array(K * numAreas),
    numDt: new Uint32Array(K).map((_, k) => categoryStart[k + 1] - categoryStart[k]),
  };
  const matcher = new CellMatcher(params, gt, dt, out);
  const positions = identity(dt.count);
  const positionImage = gatherInt(dt.imageIndex, order);
  const gtCells = new Uint32Array(gt.count);
  const dtCells = new Uint32Array(dt.count);
  const gtImageStart = new Uint32Array(numImages + 1);
  const dtImageStart = new Uint32Array(numImages + 1);
  const cursor = new Uint32Array(numImages);
  for (let k = 0; k < K; k++) {
    const g0 = gtStart[k];
    const d0 = categoryStart[k];
    groupByKey(gtRows.subarray(g0, gtStart[k + 1]), gt.imageIndex, numImages, gtCells.subarray(g0), gtImageStart, cursor);
    groupByKey(positions.subarray(d0, categoryStart[k + 1]), positionImage, numImages, dtCells.subarray(d0), dtImageStart, cursor);
    for (let i = 0; i < numImages; i++) {
      const gFrom = g0 + gtImageStart[i];
      const gTo = g0 + gtImageStart[i + 1];
      const dFrom = d0 + dtImageStart[i];
      const dTo = d0 + dtImageStart[i + 1];
      if (gTo > gFrom || dTo > dFrom) matcher.evaluate(k, gtCells, gFrom, gTo, dtCells, dFrom, dTo);
    }
  }
  return out;
}
