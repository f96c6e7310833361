/**
 * The class-imbalance report (retina-eval's `--report DIR`): per category, AP against how often the
 * category occurs in the ground truth, precision / recall / F1 at the score threshold and at the
 * best-F1 threshold, and which categories the model misses. Pure data and text; the CLI writes it
 * out with its plots.
 */
import { formatConfusionMatrix, type ConfusionMatrix } from './confusion';
import type { BboxEvaluation } from './evaluate-bbox';
import { formatFixed } from './format';
import type { OperatingPoint, ScorePoint } from './operating-points';

/** A category whose recall at its best-F1 threshold is below this is "missed". */
export const MISS_RECALL = 0.5;
/** A category whose AP@[.50:.95] is below this fraction of the mean AP is "missed". */
export const MISS_AP_FRACTION = 0.5;

/**
 * Counts and rates at one score threshold (IoU 0.5): those of an `OperatingPoint`, without its
 * name, thresholds and best F1; rates are −1 for a category without ground truth.
 */
export type ThresholdCounts = Pick<OperatingPoint, 'precision' | 'recall' | 'f1' | 'tp' | 'fp' | 'fn'>;

/** One category of the report. */
export interface ClassImbalance {
  readonly categoryId: number;
  readonly name: string;
  /** Non-crowd ground-truth boxes. */
  readonly numGt: number;
  /** numGt / all categories' numGt (0 when there is no ground truth at all). */
  readonly gtShare: number;
  readonly numDt: number;
  /** AP@[.50:.95]; −1 without ground truth. */
  readonly ap: number;
  readonly ap50: number;
  /** At the report's score threshold. */
  readonly atThreshold: ThresholdCounts;
  /** The score threshold with the highest F1 (null without a true positive at any score). */
  readonly bestF1: ScorePoint | null;
  /** True when a reason below applies (never for a category without ground truth). */
  readonly missed: boolean;
  /** Why the category counts as missed, one sentence each. */
  readonly reasons: string[];
}

/** What report.json holds. */
export interface ImbalanceReport {
  readonly groundTruth: string;
  readonly detections: string;
  readonly numImages: number;
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
  /** Mean AP@[.50:.95] over the categories with ground truth (−1 when none has any). */
  readonly meanAp: number;
  readonly missRule: { readonly recallAtBestF1Below: number; readonly apBelowFractionOfMeanAp: number };
  /** In category-id order. */
  readonly classes: ClassImbalance[];
  /** Ids of the missed categories, rarest first. */
  readonly missed: number[];
  /**
   * Detection confusion matrix (`--conf-iou`, `--conf-score`): matrix[predicted][true], classes in
   * id order, background last (also written alone as confusion.json).
   */
  readonly confusion: ConfusionMatrix;
  /** Files of the report directory (besides report.json, report.md and confusion.json). */
  readonly plots: { readonly apVsFrequency: string; readonly prCurves: string; readonly perClassPr: string[]; readonly confusion: string };
}

/** Names of the inputs, for the report's header. */
export interface ReportSources {
  readonly groundTruth: string;
  readonly detections: string;
}

const f2 = (v: number): string => formatFixed(v, 2);
const f3 = (v: number): string => formatFixed(v, 3);

function missReasons(numGt: number, ap: number, best: ScorePoint | null, meanAp: number): string[] {
  if (numGt === 0) return [];
  const reasons: string[] = [];
  if (best === null) reasons.push('no true positive at any score');
  else if (best.recall < MISS_RECALL) reasons.push(`recall ${f2(best.recall)} < ${f2(MISS_RECALL)} at its best-F1 score threshold ${f3(best.scoreThreshold)}`);
  if (ap < MISS_AP_FRACTION * meanAp) reasons.push(`AP ${f3(ap)} < ${f2(MISS_AP_FRACTION)} × mean AP ${f3(meanAp)}`);
  return reasons;
}

const counts = (p: OperatingPoint): ThresholdCounts => ({ precision: p.precision, recall: p.recall, f1: p.f1, tp: p.tp, fp: p.fp, fn: p.fn });

/**
 * Builds the report from an evaluation (its per-class metrics and operating points). A category is
 * missed when its recall at its best-F1 threshold is below `MISS_RECALL` (or it has no true positive
 * at all), or its AP is below `MISS_AP_FRACTION` × the mean AP.
 * @param result what `evaluateBbox` returned
 * @param sources names of the two inputs, copied into the report
 * @param plots the plot file names the report will refer to
 * @param confusion the confusion matrix of the same detections (`confusionMatrix`)
 */
export function buildImbalanceReport(result: BboxEvaluation, sources: ReportSources, plots: ImbalanceReport['plots'], confusion: ConfusionMatrix): ImbalanceReport {
  const points = new Map(result.operatingPoints.map((p) => [p.categoryId, p]));
  const withGt = result.perClass.filter((c) => c.numGt > 0);
  const totalGt = withGt.reduce((sum, c) => sum + c.numGt, 0);
  const meanAp = withGt.length > 0 ? withGt.reduce((sum, c) => sum + c.ap, 0) / withGt.length : -1;
  const classes = [...result.perClass]
    .sort((a, b) => a.categoryId - b.categoryId)
    .map((c): ClassImbalance => {
      const p = points.get(c.categoryId) as OperatingPoint;
      const reasons = missReasons(c.numGt, c.ap, p.bestF1, meanAp);
      return {
        categoryId: c.categoryId,
        name: c.name,
        numGt: c.numGt,
        gtShare: totalGt > 0 ? c.numGt / totalGt : 0,
        numDt: c.numDt,
        ap: c.ap,
        ap50: c.ap50,
        atThreshold: counts(p),
        bestF1: p.bestF1,
        missed: reasons.length > 0,
        reasons,
      };
    });
  return {
    ...sources,
    numImages: result.params.imageIds.length,
    scoreThreshold: result.params.scoreThreshold,
    iouThreshold: result.operatingPoints[0]?.iouThreshold ?? 0.5,
    meanAp,
    missRule: { recallAtBestF1Below: MISS_RECALL, apBelowFractionOfMeanAp: MISS_AP_FRACTION },
    classes,
    missed: byFrequency(classes).filter((c) => c.missed).map((c) => c.categoryId),
    confusion,
    plots,
  };
}

/** Rarest first (ties: by id). */
export const byFrequency = (classes: readonly ClassImbalance[]): ClassImbalance[] => [...classes].sort((a, b) => a.numGt - b.numGt || a.categoryId - b.categoryId);

const metric = (v: number): string => (v === -1 ? '-' : f3(v));
const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;

function tableRows(report: ImbalanceReport): string[] {
  const at = f2(report.scoreThreshold);
  const header = ['id', 'name', 'GT', 'share', 'DT', 'AP', 'AP50', `P@${at}`, `R@${at}`, `F1@${at}`, 'best F1', 'at score', 'R@best', 'missed'];
  const rows = byFrequency(report.classes).map((c) => {
    const t = c.atThreshold;
    const b = c.bestF1;
    return [
      String(c.categoryId), c.name, String(c.numGt), percent(c.gtShare), String(c.numDt), metric(c.ap), metric(c.ap50),
      metric(t.precision), metric(t.recall), metric(t.f1),
      b ? f3(b.f1) : '-', b ? f3(b.scoreThreshold) : '-', b ? f3(b.recall) : '-', c.missed ? '**yes**' : c.numGt === 0 ? '-' : 'no',
    ];
  });
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 1 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** report.md: the missed categories first, then the per-class table (rarest first) and the plots. */
export function imbalanceMarkdown(report: ImbalanceReport): string {
  const byId = new Map(report.classes.map((c) => [c.categoryId, c]));
  const missed = report.missed.map((id) => byId.get(id) as ClassImbalance);
  const lines = [
    '# Class-imbalance report',
    '',
    `Ground truth \`${report.groundTruth}\`, detections \`${report.detections}\`: ${report.numImages} images, ${report.classes.length} categories.`,
    `Mean AP@[.50:.95] over the categories with ground truth: ${metric(report.meanAp)}. Precision / recall / F1 at IoU ${f2(report.iouThreshold)}, score threshold ${f2(report.scoreThreshold)}.`,
    '',
    '## Categories the model misses',
    '',
    `A category is missed when its recall at its best-F1 score threshold is below ${f2(MISS_RECALL)} (or it has no true positive), or its AP is below ${f2(MISS_AP_FRACTION)} × the mean AP.`,
    '',
    ...(missed.length === 0
      ? ['None.']
      : missed.map((c) => `- **${c.name}** (id ${c.categoryId}, ${c.numGt} GT box${c.numGt === 1 ? '' : 'es'}, ${percent(c.gtShare)} of the ground truth): ${c.reasons.join('; ')}.`)),
    '',
    '## Per category, rarest first',
    '',
    ...tableRows(report),
    '',
    '## Plots',
    '',
    `![AP against the number of ground-truth boxes](${report.plots.apVsFrequency})`,
    '',
    `![Precision-recall curves at IoU ${f2(report.iouThreshold)}](${report.plots.prCurves})`,
    '',
    `One PR curve per category: ${report.plots.perClassPr.map((f) => `[${f}](${f})`).join(', ') || 'none (no category has ground truth)'}.`,
    '',
    '## Confusion matrix',
    '',
    'Rows are predicted classes, columns true classes; `background` is a missed box (last row) or a false positive (last column).',
    '',
    '```',
    formatConfusionMatrix(report.confusion),
    '```',
    '',
    `![Confusion matrix](${report.plots.confusion})`,
    '',
  ];
  return lines.join('\n');
}
