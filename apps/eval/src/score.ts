import { DEFAULT_CONFUSION_IOU, DEFAULT_CONFUSION_SCORE, evaluateBbox, loadGroundTruthFile, loadResultsFile, TABLE_ORDERS } from '@retina/coco-eval';
import type { InferredOptionTypes, Options } from 'yargs';
import { resolveCategoryIds } from './categories';
import { checkConfusionArgs } from './confusion-files';
import { UserError } from '@retina/errors';
import { reportEvaluation } from './eval-output';
import { writeImbalanceReport } from './imbalance-files';
import type { CliIo } from './io';
import { writePrCurvePlots } from './pr-plots';

const GROUP = 'Scoring (--gt GT.json --dt DT.json):';

/** Flags of the scoring mode. */
export const scoreOptions = {
  gt: { type: 'string', requiresArg: true, group: GROUP, describe: 'COCO instances ground truth (JSON)' },
  dt: { type: 'string', requiresArg: true, group: GROUP, describe: 'COCO results: JSON list of {image_id, category_id, bbox, score}' },
  json: { type: 'string', requiresArg: true, group: GROUP, describe: 'write {stats, perClass} to this file (- : to stdout, the text summary then going to stderr)' },
  plots: { type: 'string', requiresArg: true, group: GROUP, describe: 'write per-class PR curves (IoU 0.5) as PNG files into this directory' },
  categories: { type: 'string', array: true, requiresArg: true, group: GROUP, describe: 'evaluate only these categories (ids or names)' },
  'class-agnostic': { type: 'boolean', default: false, group: GROUP, describe: 'ignore labels: pool all categories into one' },
  'score-threshold': { type: 'number', default: 0.5, requiresArg: true, group: GROUP, describe: 'score threshold of the per-class P / R / F1 columns (and of --report)' },
  report: { type: 'string', requiresArg: true, group: GROUP, describe: 'write a class-imbalance report (report.json, report.md, PNG plots, confusion matrix) into this directory' },
  'conf-iou': { type: 'number', default: DEFAULT_CONFUSION_IOU, requiresArg: true, group: GROUP, describe: 'IoU (≥) a detection needs to match a box in the --report confusion matrix' },
  'conf-score': { type: 'number', default: DEFAULT_CONFUSION_SCORE, requiresArg: true, group: GROUP, describe: 'detections scoring below are left out of the --report confusion matrix' },
  sort: { choices: TABLE_ORDERS, default: 'id' as const, group: GROUP, describe: 'order of the per-class table' },
} as const satisfies Record<string, Options>;

export type ScoreArgs = InferredOptionTypes<typeof scoreOptions>;

/** Example command lines of the scoring mode (`retina-eval` is `$0`). */
export const scoreExamples: readonly [string, string][] = [
  ['$0 --gt instances_val.json --dt results.json', 'print the 12 standard numbers and the per-class table'],
  ['$0 --gt instances_val.json --dt results.json --json eval.json --plots plots', 'also write eval.json and PR-curve PNGs'],
  ['$0 --gt instances_val.json --dt results.json --categories 1 3 --score-threshold 0.3 --sort ap', 'two categories, F1 at score 0.3, best AP first'],
  ['$0 --gt instances_val.json --dt results.json --report report', 'class-imbalance report: AP vs class frequency, PR curves, classes the model misses, confusion matrix'],
  ['$0 --gt instances_val.json --dt results.json --report report --conf-iou 0.45 --conf-score 0.1', 'the report with its confusion matrix at IoU 0.45, score ≥ 0.1'],
];

/** True when the command line asks for scoring. */
export const isScoreMode = (args: Partial<ScoreArgs>): boolean => args.gt !== undefined || args.dt !== undefined;

/** Flag combinations yargs cannot check by itself; returns an error message or undefined. */
export function checkScoreArgs(args: Partial<ScoreArgs>): string | undefined {
  if (args.gt === undefined || args.dt === undefined) return 'scoring needs both --gt GT.json and --dt DT.json';
  if (args['score-threshold'] !== undefined && !Number.isFinite(args['score-threshold'])) return '--score-threshold must be a number';
  return checkConfusionArgs(args);
}

const seconds = (t0: number): string => ((performance.now() - t0) / 1000).toFixed(2);

/** `retina-eval --gt GT.json --dt DT.json`: scores results, prints the summary and the table. */
export async function runScore(args: ScoreArgs, io: CliIo): Promise<number> {
  const { gt: gtPath, dt: dtPath } = args;
  if (gtPath === undefined || dtPath === undefined) throw new UserError('scoring needs both --gt GT.json and --dt DT.json');
  const t0 = performance.now();
  const [groundTruth, detections] = await Promise.all([loadGroundTruthFile(gtPath), loadResultsFile(dtPath)]);
  if (detections.count === 0) throw new UserError(`${dtPath}: no detections (the results list is empty), nothing to score`);
  const t1 = performance.now();
  const categoryIds = args.categories?.length ? resolveCategoryIds(args.categories, groundTruth.categories, gtPath) : undefined;
  const sourceNames = { groundTruth: gtPath, detections: dtPath };
  const result = evaluateBbox(groundTruth, detections, {
    categoryIds,
    classAgnostic: args['class-agnostic'],
    scoreThreshold: args['score-threshold'],
    sourceNames,
  });
  io.err(`retina-eval: ${detections.count} detections loaded in ${seconds(t0)} s, evaluated in ${seconds(t1)} s`);
  await reportEvaluation(result, { json: args.json, sort: args.sort }, io);
  if (args.plots !== undefined) {
    const files = await writePrCurvePlots(args.plots, result);
    io.err(`retina-eval: wrote ${files.length} PR-curve plots to ${args.plots}`);
  }
  if (args.report !== undefined) {
    const options = { iouThreshold: args['conf-iou'], scoreThreshold: args['conf-score'], categoryIds, sourceNames };
    await writeImbalanceReport(args.report, result, sourceNames, { groundTruth, detections, options }, io);
  }
  return 0;
}
