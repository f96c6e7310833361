import type { ImageEvaluation } from './evaluate';
import { DetectionState } from './match';

const TRUE_POSITIVE = DetectionState.TruePositive;
const FALSE_POSITIVE = DetectionState.FalsePositive;
import { curveIouIndex, evaluatedCategories } from './per-class';

/** Precision / recall / F1 of the detections scoring at least `scoreThreshold`. */
export interface ScorePoint {
  readonly scoreThreshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/**
 * One category's counts at a score threshold (IoU 0.5, area `all`, largest maxDets), and the
 * threshold with the best F1. Precision is 0 when nothing scores above the threshold. For a category
 * without ground truth, precision, recall and F1 are −1 and `bestF1` is null.
 */
export interface OperatingPoint extends ScorePoint {
  readonly categoryId: number;
  readonly name: string;
  readonly iouThreshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  /** Highest F1 over all score cut-offs (ties: the highest threshold); null without a true positive. */
  readonly bestF1: ScorePoint | null;
}

function point(scoreThreshold: number, tp: number, fp: number, numGt: number): ScorePoint {
  return {
    scoreThreshold,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp / numGt,
    f1: tp > 0 ? (2 * tp) / (tp + fp + numGt) : 0,
  };
}

function categoryPoint(ev: ImageEvaluation, k: number, t: number, id: number, name: string): OperatingPoint {
  const p = ev.params;
  const n = ev.scores.length;
  const a = p.areaRanges.findIndex((r) => r.label === 'all');
  const base = (a * p.iouThresholds.length + t) * n;
  const maxDet = p.maxDets[p.maxDets.length - 1];
  const numGt = ev.numGt[k * p.areaRanges.length + a];
  let tp = 0;
  let fp = 0;
  let tpAt = 0;
  let fpAt = 0;
  let groupScore = NaN;
  let best: ScorePoint | null = null;
  const consider = (): void => {
    if (numGt === 0 || tp === 0) return;
    const candidate = point(groupScore, tp, fp, numGt);
    if (best === null || candidate.f1 > best.f1) best = candidate;
  };
  for (let i = ev.categoryStart[k]; i < ev.categoryStart[k + 1]; i++) {
    if (ev.rank[i] >= maxDet) continue;
    const score = ev.scores[i];
    if (score !== groupScore && !Number.isNaN(groupScore)) consider();
    groupScore = score;
    const s = ev.states[base + i];
    if (s === TRUE_POSITIVE) tp++;
    else if (s === FALSE_POSITIVE) fp++;
    if (score >= p.scoreThreshold) {
      tpAt = tp;
      fpAt = fp;
    }
  }
  if (!Number.isNaN(groupScore)) consider();
  const at = numGt > 0 ? point(p.scoreThreshold, tpAt, fpAt, numGt) : { scoreThreshold: p.scoreThreshold, precision: -1, recall: -1, f1: -1 };
  return { categoryId: id, name, iouThreshold: p.iouThresholds[t], ...at, tp: tpAt, fp: fpAt, fn: numGt - tpAt, bestF1: best };
}

/**
 * Per-category operating points for imbalanced data: precision, recall and F1 at
 * `params.scoreThreshold`, and the score threshold that maximises F1.
 */
export function operatingPoints(ev: ImageEvaluation): OperatingPoint[] {
  const t = curveIouIndex(ev.params);
  return evaluatedCategories(ev.params).map(({ id, name }, k) => categoryPoint(ev, k, t, id, name));
}
