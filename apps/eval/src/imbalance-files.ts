/** Writes the class-imbalance report (`--report DIR`): report.json, report.md and its PNG plots. */
import { join } from 'node:path';
import {
  buildImbalanceReport,
  byFrequency,
  formatFixed,
  imbalanceMarkdown,
  MISS_AP_FRACTION,
  type BboxEvaluation,
  type CocoGroundTruth,
  type CocoResult,
  type ConfusionMatrixOptions,
  type DetectionColumns,
  type ImbalanceReport,
  type ReportSources,
} from '@retina/coco-eval';
import { renderLineChartPng, type LineSeries } from '@retina/plots';
import { CONFUSION_PNG, writeConfusionReport } from './confusion-files';
import { makeOutputDir, writeOutputFile } from './fs-utils';
import type { CliIo } from './io';
import { curvesWithGt, prPlotName, writePrCurvePlots } from './pr-plots';

export const AP_VS_FREQUENCY_PNG = 'ap-vs-frequency.png';
export const PR_CURVES_PNG = 'pr-curves.png';

/**
 * AP, AP50 and recall at the best-F1 threshold of each category with ground truth against its
 * number of ground-truth boxes (categories joined rarest to most frequent), with the "missed" AP line.
 */
function apVsFrequencyPng(report: ImbalanceReport): Promise<Buffer> {
  const classes = byFrequency(report.classes).filter((c) => c.numGt > 0);
  const x = classes.map((c) => c.numGt);
  const series: LineSeries[] = [
    { label: 'AP@[.50:.95]', x, y: classes.map((c) => c.ap) },
    { label: `AP@${formatFixed(report.iouThreshold, 2)}`, x, y: classes.map((c) => c.ap50) },
    { label: 'recall at best F1', x, y: classes.map((c) => c.bestF1?.recall ?? 0) },
  ];
  if (classes.length > 0) {
    const line = MISS_AP_FRACTION * report.meanAp;
    series.push({ label: `${formatFixed(MISS_AP_FRACTION, 2)} × mean AP (below: missed)`, x: [x[0], x[x.length - 1]], y: [line, line], color: '#7f7f7f' });
  }
  return renderLineChartPng(series, {
    title: 'Per-category AP against ground-truth frequency (one point per category, rarest left)',
    xLabel: 'ground-truth boxes of the category',
    yLabel: 'AP / recall',
    yRange: [0, 1],
  });
}

/** Every category's PR curve (IoU 0.5) in one chart. */
function prCurvesPng(result: BboxEvaluation, report: ImbalanceReport): Promise<Buffer> {
  const byId = new Map(report.classes.map((c) => [c.categoryId, c]));
  const series = curvesWithGt(result.prCurves).map((curve) => {
    const c = byId.get(curve.categoryId);
    return { label: `${curve.name} (GT ${c?.numGt ?? '?'}, AP50 ${formatFixed(c?.ap50 ?? -1, 3)})`, x: [...curve.recall], y: [...curve.precision] };
  });
  return renderLineChartPng(series, {
    title: `Precision-recall per category, IoU ${formatFixed(report.iouThreshold, 2)}`,
    xLabel: 'recall',
    yLabel: 'precision (interpolated)',
    xRange: [0, 1],
    yRange: [0, 1],
  });
}

/** The evaluated inputs again, for the report's confusion matrix (which needs the boxes, not the evaluation). */
export interface ConfusionInputs {
  readonly groundTruth: CocoGroundTruth;
  readonly detections: readonly CocoResult[] | DetectionColumns;
  /** Thresholds (`--conf-iou`, `--conf-score`) and the evaluated image / category subset. */
  readonly options: ConfusionMatrixOptions;
}

/**
 * Writes the report into `dir` (created if needed), each file atomically, and says so on `io.err`,
 * where it also prints the confusion matrix.
 * @returns the report (what report.json holds)
 */
export async function writeImbalanceReport(dir: string, result: BboxEvaluation, sources: ReportSources, confusionInputs: ConfusionInputs, io: CliIo): Promise<ImbalanceReport> {
  await makeOutputDir(dir, 'report');
  const { confusion, table } = await writeConfusionReport(dir, confusionInputs.groundTruth, confusionInputs.detections, confusionInputs.options);
  const perClassPr = curvesWithGt(result.prCurves).map(prPlotName);
  const report = buildImbalanceReport(result, sources, { apVsFrequency: AP_VS_FREQUENCY_PNG, prCurves: PR_CURVES_PNG, perClassPr, confusion: CONFUSION_PNG }, confusion);
  await writeOutputFile(join(dir, AP_VS_FREQUENCY_PNG), await apVsFrequencyPng(report));
  await writeOutputFile(join(dir, PR_CURVES_PNG), await prCurvesPng(result, report));
  await writePrCurvePlots(dir, result);
  await writeOutputFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeOutputFile(join(dir, 'report.md'), imbalanceMarkdown(report));
  const names = new Map(report.classes.map((c) => [c.categoryId, c.name]));
  const missed = report.missed.map((id) => names.get(id)).join(', ');
  table.split('\n').forEach((line) => io.err(line));
  io.err(`retina-eval: wrote the class-imbalance report to ${dir} (${report.missed.length ? `missed: ${missed}` : 'no category missed'})`);
  return report;
}
