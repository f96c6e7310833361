/**
 * The RetinaNet matcher (torchvision `Matcher`): each anchor takes the GT of highest IoU (the first
 * on ties); below `low` it is background, between `low` and `high` ignored. With low-quality matches
 * on, each GT also claims every anchor whose IoU with it equals that GT's best IoU (exact ties), and
 * such an anchor gets back its own argmax GT — exactly the reference rule, including what it does
 * when a GT's best IoU is 0 (every anchor ties, so every anchor gets its argmax GT back).
 */
import { AnchorArgumentError } from './types';

/** Matcher code: best IoU below the low threshold (background). */
export const BELOW_LOW_THRESHOLD = -1;
/** Matcher code: best IoU between the thresholds (ignored by the losses). */
export const BETWEEN_THRESHOLDS = -2;

/** The matcher's settings — the same object for all three matchers and `@retina/retinanet`'s `matcher` config. */
export interface MatchOptions {
  /** IoU ≥ high → positive (matched GT index). Default 0.5. */
  high?: number;
  /** IoU < low → background (−1); low ≤ IoU < high → ignored (−2). Default 0.4. */
  low?: number;
  /** Each GT also takes the anchor(s) of its highest IoU, even below `low`. Default true. */
  allowLowQuality?: boolean;
}

/** RetinaNet's matcher settings (torchvision: `Matcher(0.5, 0.4, allow_low_quality_matches=True)`). */
export const DEFAULT_MATCH_OPTIONS: Readonly<Required<MatchOptions>> = Object.freeze({ high: 0.5, low: 0.4, allowLowQuality: true });

export interface Thresholds {
  high: number;
  low: number;
  lowQuality: boolean;
}

/** Validated thresholds, cast to float32 as the reference compares float32 IoUs with them. */
export function resolveThresholds(fn: string, o: MatchOptions): Thresholds {
  const high = o.high ?? DEFAULT_MATCH_OPTIONS.high;
  const low = o.low ?? DEFAULT_MATCH_OPTIONS.low;
  if (!(low >= 0 && low <= high && high <= 1)) {
    throw new AnchorArgumentError(fn, `options need 0 ≤ low ≤ high ≤ 1 (got low ${low}, high ${high})`);
  }
  return { high: Math.fround(high), low: Math.fround(low), lowQuality: o.allowLowQuality ?? DEFAULT_MATCH_OPTIONS.allowLowQuality };
}

/** Threshold labels from each anchor's best IoU and its argmax GT. */
export function thresholdLabels(bestIou: Float32Array, bestGt: Int32Array, t: Thresholds): Int32Array {
  const out = new Int32Array(bestIou.length);
  for (let a = 0; a < out.length; a++) {
    const v = bestIou[a];
    out[a] = v < t.low ? BELOW_LOW_THRESHOLD : v < t.high ? BETWEEN_THRESHOLDS : bestGt[a];
  }
  return out;
}

/**
 * Matches anchors given a precomputed IoU matrix.
 * @param iou Float32Array [numGt, numAnchors] row-major (the reference's match_quality_matrix,
 *   e.g. `boxIou(gt, anchors)`)
 * @returns Int32Array [numAnchors]: GT index, BELOW_LOW_THRESHOLD (−1) or BETWEEN_THRESHOLDS (−2);
 *   all −1 when numGt is 0
 */
export function matchAnchors(iou: Float32Array, numGt: number, numAnchors: number, opts: MatchOptions = {}): Int32Array {
  if (!Number.isInteger(numGt) || !Number.isInteger(numAnchors) || numGt < 0 || numAnchors < 0 || iou.length !== numGt * numAnchors) {
    throw new AnchorArgumentError('matchAnchors', `iou has ${iou.length} values, expected numGt × numAnchors = ${numGt} × ${numAnchors}`);
  }
  const t = resolveThresholds('matchAnchors', opts);
  if (numGt === 0) return new Int32Array(numAnchors).fill(BELOW_LOW_THRESHOLD);
  // one pass over each row for both reductions: per-anchor argmax (first max wins) and per-GT max
  const bestIou = iou.slice(0, numAnchors);
  const bestGt = new Int32Array(numAnchors);
  const gtMax = new Float32Array(numGt);
  for (let g = 0; g < numGt; g++) {
    const row = iou.subarray(g * numAnchors, (g + 1) * numAnchors);
    let mx = -Infinity;
    for (let a = 0; a < numAnchors; a++) {
      const v = row[a];
      if (v > mx) mx = v;
      if (v > bestIou[a]) {
        bestIou[a] = v;
        bestGt[a] = g;
      }
    }
    gtMax[g] = mx;
  }
  const out = thresholdLabels(bestIou, bestGt, t);
  if (t.lowQuality) {
    for (let g = 0; g < numGt; g++) {
      const row = iou.subarray(g * numAnchors, (g + 1) * numAnchors);
      for (let a = 0; a < numAnchors; a++) if (row[a] === gtMax[g]) out[a] = bestGt[a];
    }
  }
  return out;
}
