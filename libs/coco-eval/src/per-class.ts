import { precisionIndex, type Accumulation } from './accumulate';
import type { ImageEvaluation } from './evaluate';
import type { EvalParams } from './params';
import { maxDetsOf, meanOfSelection } from './summarize';

/** Category id reported for the single pooled class of a class-agnostic evaluation. */
export const CLASS_AGNOSTIC_ID = -1;

/** Per-category numbers at area `all` and maxDets[2] (100 by default); −1 when it has no ground truth. */
export interface ClassMetrics {
  readonly categoryId: number;
  readonly name: string;
  /** AP@[.50:.95]. */
  readonly ap: number;
  readonly ap50: number;
  readonly ap75: number;
  /** AR@[.50:.95] with maxDets[2] detections per image. */
  readonly ar100: number;
  /** Non-crowd ground-truth boxes. */
  readonly numGt: number;
  /** Detections, before any per-image cut. */
  readonly numDt: number;
}

/** Interpolated precision at each recall threshold, for one category at one IoU threshold. */
export interface PrCurve {
  readonly categoryId: number;
  readonly name: string;
  readonly iouThreshold: number;
  readonly recall: readonly number[];
  /** −1 everywhere when the category has no ground truth. */
  readonly precision: readonly number[];
}

/** Id and name of each evaluated category (one pooled entry when class-agnostic). */
export function evaluatedCategories(params: EvalParams): { id: number; name: string }[] {
  if (params.classAgnostic) return [{ id: CLASS_AGNOSTIC_ID, name: 'all categories' }];
  return params.categoryIds.map((id, k) => ({ id, name: params.categoryNames[k] }));
}

/** The IoU threshold used for curves and operating points: 0.5 when evaluated, else the lowest. */
export function curveIouIndex(params: EvalParams): number {
  const t = params.iouThresholds.indexOf(0.5);
  if (t >= 0) return t;
  return params.iouThresholds.indexOf(Math.min(...params.iouThresholds));
}

/** AP, AP50, AP75, AR100 and box counts for each evaluated category. */
export function perClassMetrics(acc: Accumulation, ev: ImageEvaluation): ClassMetrics[] {
  const maxDets = maxDetsOf(acc.params.maxDets, 2);
  const allArea = acc.params.areaRanges.findIndex((r) => r.label === 'all');
  return evaluatedCategories(acc.params).map(({ id, name }, k) => {
    const ap = (iouThreshold?: number): number => meanOfSelection(acc, { kind: 'AP', iouThreshold, category: k, area: 'all', maxDets });
    return {
      categoryId: id,
      name,
      ap: ap(),
      ap50: ap(0.5),
      ap75: ap(0.75),
      ar100: meanOfSelection(acc, { kind: 'AR', category: k, area: 'all', maxDets }),
      numGt: ev.numGt[k * acc.shape.A + allArea],
      numDt: ev.numDt[k],
    };
  });
}

/** Per-category precision-recall curves (area `all`, largest maxDets) at IoU 0.5. */
export function prCurves(acc: Accumulation): PrCurve[] {
  const { params: p, shape: s } = acc;
  const t = curveIouIndex(p);
  const a = p.areaRanges.findIndex((r) => r.label === 'all');
  return evaluatedCategories(p).map(({ id, name }, k) => ({
    categoryId: id,
    name,
    iouThreshold: p.iouThresholds[t],
    recall: p.recallThresholds,
    precision: p.recallThresholds.map((_, r) => acc.precision[precisionIndex(s, t, r, k, a, s.M - 1)]),
  }));
}
