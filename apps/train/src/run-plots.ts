/** The run's plots (PNG): loss curves, the validation mAP curve and the final PR curves. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BboxEvaluation } from '@retina/coco-eval';
import { renderLineChartPng, writePngAtomic } from '@retina/plots';
import type { RunLog, StepRecord } from './metrics';

export async function writeRunPlots(runDir: string, log: RunLog, evaluation: BboxEvaluation | undefined): Promise<string[]> {
  const dir = join(runDir, 'plots');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const steps = log.read().filter((r): r is StepRecord => r.kind === 'step');
  if (steps.length) {
    const x = steps.map((s) => s.iteration);
    const validated = log.epochs().filter((e) => e.valLoss !== undefined);
    const png = await renderLineChartPng(
      [
        { label: 'total', x, y: steps.map((s) => s.loss) },
        { label: 'classification (focal)', x, y: steps.map((s) => s.cls) },
        { label: 'box regression', x, y: steps.map((s) => s.box) },
        ...(validated.length ? [{ label: 'validation total', x: validated.map((e) => e.iteration), y: validated.map((e) => e.valLoss as number) }] : []),
      ],
      { title: 'Training loss', xLabel: 'iteration', yLabel: 'loss', yScale: 'logarithmic' },
    );
    written.push(await writePngAtomic(join(dir, 'loss.png'), png));
  }
  const evals = log.epochs().filter((e) => e.stats);
  if (evals.length) {
    const x = evals.map((e) => e.epoch + 1);
    const png = await renderLineChartPng(
      [
        { label: 'AP', x, y: evals.map((e) => e.stats![0]) },
        { label: 'AP50', x, y: evals.map((e) => e.stats![1]) },
      ],
      { title: 'Validation mAP', xLabel: 'epoch', yLabel: 'AP', yRange: [0, 1] },
    );
    written.push(await writePngAtomic(join(dir, 'map.png'), png));
  }
  if (evaluation) {
    const ap50 = new Map(evaluation.perClass.map((c) => [c.categoryId, c.ap50]));
    const series = evaluation.prCurves
      .filter((c) => c.precision[0] !== -1)
      .map((c) => ({ label: `${c.name} (AP50 ${(ap50.get(c.categoryId) ?? -1).toFixed(3)})`, x: [...c.recall], y: [...c.precision] }));
    const png = await renderLineChartPng(series, { title: 'Precision-recall at IoU 0.5', xLabel: 'recall', yLabel: 'precision', xRange: [0, 1], yRange: [0, 1] });
    written.push(await writePngAtomic(join(dir, 'pr.png'), png));
  }
  return written;
}
