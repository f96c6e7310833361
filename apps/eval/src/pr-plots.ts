import { join } from 'node:path';
import { formatFixed, type BboxEvaluation, type PrCurve } from '@retina/coco-eval';
import { renderLineChartPng } from '@retina/plots';
import { makeOutputDir, writeOutputFile } from './fs-utils';

/** A file-name-safe form of a category name: lower case, runs of other characters → '-'. */
export const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The curves of categories that have ground truth (the others are −1 everywhere). */
export const curvesWithGt = (curves: readonly PrCurve[]): PrCurve[] => curves.filter((c) => c.precision[0] !== -1);

/** File name of a category's PR-curve plot: `pr-<id>-<name>.png` (`pr-all.png` when class-agnostic). */
export const prPlotName = (curve: PrCurve): string => (curve.categoryId < 0 ? 'pr-all.png' : `pr-${curve.categoryId}-${slug(curve.name) || 'category'}.png`);

/**
 * Writes one PR-curve PNG (IoU 0.5, interpolated precision) per category with ground truth into `dir`.
 * @returns the file names written, in category order
 */
export async function writePrCurvePlots(dir: string, result: BboxEvaluation): Promise<string[]> {
  await makeOutputDir(dir, 'plots');
  const written: string[] = [];
  for (const curve of curvesWithGt(result.prCurves)) {
    const ap50 = result.perClass.find((c) => c.categoryId === curve.categoryId)?.ap50 ?? -1;
    const png = await renderLineChartPng([{ label: `AP@${formatFixed(curve.iouThreshold, 2)} = ${formatFixed(ap50, 3)}`, x: [...curve.recall], y: [...curve.precision] }], {
      title: `Precision-recall: ${curve.name} (id ${curve.categoryId})`,
      xLabel: 'recall',
      yLabel: 'precision (interpolated)',
      xRange: [0, 1],
      yRange: [0, 1],
    });
    const file = prPlotName(curve);
    await writeOutputFile(join(dir, file), png);
    written.push(file);
  }
  return written;
}
