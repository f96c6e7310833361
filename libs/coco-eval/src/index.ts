export { evaluateBbox, type BboxEvaluation } from './evaluate-bbox';
export { prepareInputs, type PreparedInputs, type GroundTruthTable, type DetectionTable, type IndexedBoxes } from './prepare';
export { evaluateImages, DetectionState, type ImageEvaluation } from './evaluate';
export { accumulate, precisionIndex, recallIndex, type Accumulation, type AccumulationShape } from './accumulate';
export { summarize, meanOfSelection, STAT_DEFINITIONS, type StatDefinition, type Selection } from './summarize';
export { perClassMetrics, prCurves, CLASS_AGNOSTIC_ID, type ClassMetrics, type PrCurve } from './per-class';
export { operatingPoints, type OperatingPoint, type ScorePoint } from './operating-points';
export {
  buildImbalanceReport,
  byFrequency,
  imbalanceMarkdown,
  MISS_AP_FRACTION,
  MISS_RECALL,
  type ClassImbalance,
  type ImbalanceReport,
  type ReportSources,
  type ThresholdCounts,
} from './imbalance';
export { summaryLines, formatFixed } from './format';
export { cocoBoxIou } from './iou';
export { loadResultsFile, loadGroundTruthFile } from './load';
export { toDetectionColumns } from './columns';
export { CocoEvalInputError } from './errors';
export {
  AREA_RANGES,
  DEFAULT_IOU_THRESHOLDS,
  DEFAULT_MAX_DETS,
  RECALL_THRESHOLDS,
  type AreaRange,
  type EvalParams,
  type EvaluateBboxOptions,
} from './params';
export type { CocoAnnotation, CocoCategory, CocoGroundTruth, CocoImage, CocoResult, CocoXywh, DetectionColumns } from './types';
export { evalJson, perClassTable, TABLE_ORDERS, type EvalJson, type TableOrder } from './report';
export {
  confusionMatrix,
  confusionMatrixTitle,
  formatConfusionMatrix,
  normalizeConfusionColumns,
  BACKGROUND,
  DEFAULT_CONFUSION_IOU,
  DEFAULT_CONFUSION_SCORE,
  type ConfusionMatrix,
  type ConfusionMatrixOptions,
  type FormatConfusionOptions,
} from './confusion';
