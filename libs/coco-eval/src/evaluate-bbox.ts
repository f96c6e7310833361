import { accumulate } from './accumulate';
import { evaluateImages } from './evaluate';
import { operatingPoints, type OperatingPoint } from './operating-points';
import type { EvalParams, EvaluateBboxOptions } from './params';
import { perClassMetrics, prCurves, type ClassMetrics, type PrCurve } from './per-class';
import { prepareInputs } from './prepare';
import { summarize } from './summarize';
import type { AccumulationShape } from './accumulate';
import type { CocoGroundTruth, CocoResult, DetectionColumns } from './types';

/** Everything `evaluateBbox` returns. */
export interface BboxEvaluation {
  readonly params: EvalParams;
  /** AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (−1 where undefined). */
  readonly stats: number[];
  /** One entry per evaluated category (one pooled entry, id −1, when class-agnostic). */
  readonly perClass: ClassMetrics[];
  readonly shape: AccumulationShape;
  /** [T, R, K, A, M] interpolated precision (see `precisionIndex`). */
  readonly precision: Float64Array;
  /** [T, K, A, M] recall (see `recallIndex`). */
  readonly recall: Float64Array;
  /** Per-category PR curves at IoU 0.5. */
  readonly prCurves: PrCurve[];
  /** Per-category precision / recall / F1 at `scoreThreshold`, and the best-F1 threshold. */
  readonly operatingPoints: OperatingPoint[];
}

/**
 * COCO bbox evaluation with the reference evaluator's numbers (pycocotools COCOeval, iouType bbox):
 * prepare → evaluate → accumulate → summarize, each also exported on its own.
 *
 * @param groundTruth COCO instances: images, annotations (bbox xywh, area, iscrowd), categories
 * @param detections COCO results records, or columns from `loadResultsFile`
 * @throws CocoEvalInputError on malformed inputs or options (naming input, record and field)
 */
export function evaluateBbox(
  groundTruth: CocoGroundTruth,
  detections: readonly CocoResult[] | DetectionColumns,
  opts: EvaluateBboxOptions = {},
): BboxEvaluation {
  const evaluation = evaluateImages(prepareInputs(groundTruth, detections, opts));
  const acc = accumulate(evaluation);
  return {
    params: acc.params,
    stats: summarize(acc),
    perClass: perClassMetrics(acc, evaluation),
    shape: acc.shape,
    precision: acc.precision,
    recall: acc.recall,
    prCurves: prCurves(acc),
    operatingPoints: operatingPoints(evaluation),
  };
}
