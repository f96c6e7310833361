/**
 * The detection confusion matrix as files: `confusion.png` (heat map) and `confusion.json`, plus its
 * text table. Lives in the app because it joins three libs that may not import one another
 * (coco-eval: the matrix, plots: the PNG, engine: atomic writes).
 */
import { join } from 'node:path';
import {
  confusionMatrix,
  formatConfusionMatrix,
  type CocoGroundTruth,
  type CocoResult,
  type ConfusionMatrix,
  type ConfusionMatrixOptions,
  type DetectionColumns,
} from '@retina/coco-eval';
import { confusionMatrixPng } from '@retina/plots';
import { makeOutputDir, writeOutputFile } from './fs-utils';

export const CONFUSION_PNG = 'confusion.png';
export const CONFUSION_JSON = 'confusion.json';

/** Options of `writeConfusionReport`: the matrix's (IoU 0.5, score 0.25 by default) and the display's. */
export interface ConfusionReportOptions extends ConfusionMatrixOptions {
  /** Normalise the PNG and the table by column (where each true class went). Default false: counts. */
  readonly normalize?: boolean;
}

/** What confusion.json holds: the matrix with its axes spelled out. */
export interface ConfusionJson extends ConfusionMatrix {
  readonly axes: { readonly rows: 'predicted'; readonly columns: 'true'; readonly last: 'background' };
}

/** What `writeConfusionReport` returns. */
export interface ConfusionReport {
  readonly confusion: ConfusionMatrix;
  /** `formatConfusionMatrix`: a title line with the thresholds, then the table. */
  readonly table: string;
  /** The two file names written into the directory. */
  readonly files: { readonly png: string; readonly json: string };
}

export const confusionJson = (confusion: ConfusionMatrix): ConfusionJson => ({
  ...confusion,
  axes: { rows: 'predicted', columns: 'true', last: 'background' },
});

/**
 * Computes the confusion matrix of `detections` against `groundTruth` and writes `confusion.png` and
 * `confusion.json` into `dir` (created if needed), each atomically.
 * @throws CocoEvalInputError on bad inputs or options; UserError when `dir` cannot be written
 */
export async function writeConfusionReport(
  dir: string,
  groundTruth: CocoGroundTruth,
  detections: readonly CocoResult[] | DetectionColumns,
  opts: ConfusionReportOptions = {},
): Promise<ConfusionReport> {
  const confusion = confusionMatrix(groundTruth, detections, opts);
  await makeOutputDir(dir, 'report');
  await writeOutputFile(join(dir, CONFUSION_PNG), await confusionMatrixPng(confusion, { normalize: opts.normalize }));
  await writeOutputFile(join(dir, CONFUSION_JSON), `${JSON.stringify(confusionJson(confusion), null, 2)}\n`);
  return { confusion, table: formatConfusionMatrix(confusion, { normalize: opts.normalize }), files: { png: CONFUSION_PNG, json: CONFUSION_JSON } };
}

/** `--conf-iou` in (0, 1], `--conf-score` a number; returns an error message or undefined. */
export function checkConfusionArgs(args: { 'conf-iou'?: number; 'conf-score'?: number }): string | undefined {
  const iou = args['conf-iou'];
  if (iou !== undefined && !(iou > 0 && iou <= 1)) return `--conf-iou must be in (0, 1] (got ${iou})`;
  if (args['conf-score'] !== undefined && !Number.isFinite(args['conf-score'])) return '--conf-score must be a number';
  return undefined;
}
