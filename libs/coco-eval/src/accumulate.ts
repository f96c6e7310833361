import type { ImageEvaluation } from './evaluate';
import { DetectionState } from './match';
import type { EvalParams } from './params';

/** `np.spacing(1)`: keeps precision defined when nothing is detected yet. */
const SPACING_OF_ONE = 2.220446049250313e-16;
const TRUE_POSITIVE = DetectionState.TruePositive;

/** Sizes of the accumulated arrays: IoU thresholds, recall thresholds, categories, areas, maxDets. */
export interface AccumulationShape {
  readonly T: number;
  readonly R: number;
  readonly K: number;
  readonly A: number;
  readonly M: number;
}

/** PR arrays (the reference's `eval` dict). −1 marks a category without (non-ignored) ground truth. */
export interface Accumulation {
  readonly params: EvalParams;
  readonly shape: AccumulationShape;
  /** [T, R, K, A, M] interpolated precision at each recall threshold. */
  readonly precision: Float64Array;
  /** [T, K, A, M] recall with all kept detections. */
  readonly recall: Float64Array;
}

/** Flat index into `precision` ([T, R, K, A, M], row-major). */
export function precisionIndex(s: AccumulationShape, t: number, r: number, k: number, a: number, m: number): number {
  return (((t * s.R + r) * s.K + k) * s.A + a) * s.M + m;
}

/** Flat index into `recall` ([T, K, A, M], row-major). */
export function recallIndex(s: AccumulationShape, t: number, k: number, a: number, m: number): number {
  return ((t * s.K + k) * s.A + a) * s.M + m;
}

/** Positions of category `k` ranked below `maxDet` in their image, in pooled order, into `out`. */
function keptPositions(ev: ImageEvaluation, k: number, maxDet: number, out: Uint32Array): number {
  let n = 0;
  for (let p = ev.categoryStart[k]; p < ev.categoryStart[k + 1]; p++) if (ev.rank[p] < maxDet) out[n++] = p;
  return n;
}

/**
 * Precision and recall at each true positive down the ranked list. Recall only grows at a true
 * positive and precision only falls between two, so the reference's precision envelope sampled at
 * "the first rank reaching recall r" equals the envelope over these points alone.
 */
interface TruePositivePoints {
  count: number;
  readonly rc: Float64Array;
  readonly pr: Float64Array;
}

/** Walks the kept detections once; fills `points` (enveloped) and returns the final recall. */
function rankedPoints(states: Uint8Array, base: number, kept: Uint32Array, nd: number, npig: number, points: TruePositivePoints): number {
  let tp = 0;
  let fp = 0;
  points.count = 0;
  for (let i = 0; i < nd; i++) {
    const s = states[base + kept[i]];
    fp += s >> 1; // FalsePositive is bit 1
    if (s & TRUE_POSITIVE) {
      tp++;
      points.rc[points.count] = tp / npig;
      points.pr[points.count++] = tp / (fp + tp + SPACING_OF_ONE);
    }
  }
  for (let j = points.count - 1; j > 0; j--) if (points.pr[j] > points.pr[j - 1]) points.pr[j - 1] = points.pr[j];
  return nd > 0 ? tp / npig : 0;
}

/**
 * Stage 2 of 3 (the reference's `accumulate`): per category, area range and maxDets, pools the kept
 * detections of all images by score and turns them into recall and interpolated precision (the
 * precision envelope sampled at the first rank reaching each recall threshold; 0 beyond the last).
 */
export function accumulate(ev: ImageEvaluation): Accumulation {
  const p = ev.params;
  const shape: AccumulationShape = {
    T: p.iouThresholds.length,
    R: p.recallThresholds.length,
    K: ev.numCategories,
    A: p.areaRanges.length,
    M: p.maxDets.length,
  };
  const precision = new Float64Array(shape.T * shape.R * shape.K * shape.A * shape.M).fill(-1);
  const recall = new Float64Array(shape.T * shape.K * shape.A * shape.M).fill(-1);
  const n = ev.scores.length;
  const kept = new Uint32Array(n);
  const maxGt = Math.max(0, ...ev.numGt);
  const points: TruePositivePoints = { count: 0, rc: new Float64Array(maxGt), pr: new Float64Array(maxGt) };
  const thresholds = p.recallThresholds;
  for (let k = 0; k < shape.K; k++) {
    for (let m = 0; m < shape.M; m++) {
      const nd = keptPositions(ev, k, p.maxDets[m], kept);
      for (let a = 0; a < shape.A; a++) {
        const npig = ev.numGt[k * shape.A + a];
        if (npig === 0) continue;
        for (let t = 0; t < shape.T; t++) {
          recall[recallIndex(shape, t, k, a, m)] = rankedPoints(ev.states, (a * shape.T + t) * n, kept, nd, npig, points);
          // The first rank whose recall reaches each threshold (searchsorted 'left'; thresholds ascend).
          // For threshold 0 that is rank 0, whose enveloped precision is that of the first point.
          let j = 0;
          for (let r = 0; r < shape.R; r++) {
            while (j < points.count && points.rc[j] < thresholds[r]) j++;
            precision[precisionIndex(shape, t, r, k, a, m)] = j < points.count ? points.pr[j] : 0;
          }
        }
      }
    }
  }
  return { params: p, shape, precision, recall };
}
