import { CocoEvalInputError, describeValue } from './errors';
import { boxIouInto } from './iou';
import { prepareInputs, type IndexedBoxes } from './prepare';
import type { CocoGroundTruth, CocoResult, DetectionColumns } from './types';

/** Default minimum IoU of a matched (detection, ground truth) pair (ultralytics' default). */
export const DEFAULT_CONFUSION_IOU = 0.5;
/** Default score below which detections are dropped before matching (ultralytics' default conf). */
export const DEFAULT_CONFUSION_SCORE = 0.25;
/** Label of the last row / column of the matrix. */
export const BACKGROUND = 'background';

/** Options of `confusionMatrix`. Every field is optional. */
export interface ConfusionMatrixOptions {
  /** Minimum IoU (≥) of a matched pair, in (0, 1]. Default 0.5. */
  readonly iouThreshold?: number;
  /** Detections scoring below this are dropped before matching. Default 0.25. */
  readonly scoreThreshold?: number;
  /** Count only these image ids (default: every image of the ground truth). */
  readonly imageIds?: readonly number[];
  /** Count only these category ids; ground truth and detections of others are left out. */
  readonly categoryIds?: readonly number[];
  /** Names of the two inputs in error messages, e.g. their file paths. */
  readonly sourceNames?: { readonly groundTruth?: string; readonly detections?: string };
}

/**
 * A detection confusion matrix (ultralytics' `ConfusionMatrix`): **rows are predicted classes,
 * columns are true classes**, both in `classes` order followed by background (index C = classes.length).
 *
 * - `matrix[p][t]` (p, t < C): detections of class p matched to a ground-truth box of class t;
 * - `matrix[C][t]`: ground-truth boxes of class t no detection matched (missed);
 * - `matrix[p][C]`: detections of class p that matched nothing (false positives);
 * - `matrix[C][C]` is always 0.
 */
export interface ConfusionMatrix {
  /** The evaluated categories, ascending id (background is not listed). */
  readonly classes: { readonly id: number; readonly name: string }[];
  /** [C + 1][C + 1], matrix[predicted][true]. */
  readonly matrix: number[][];
  readonly iouThreshold: number;
  readonly scoreThreshold: number;
  /**
   * Detections (score ≥ threshold) that matched no ground truth but lie on a crowd region
   * (IoU ≥ threshold, the COCO crowd IoU): counted nowhere, as COCO ignores them.
   */
  readonly ignoredDetections: number;
}

function checkOptions(opts: ConfusionMatrixOptions): { iouThreshold: number; scoreThreshold: number } {
  const iouThreshold = opts.iouThreshold ?? DEFAULT_CONFUSION_IOU;
  if (typeof iouThreshold !== 'number' || !(iouThreshold > 0 && iouThreshold <= 1)) {
    throw new CocoEvalInputError('options', 'iouThreshold', `must be a number in (0, 1] (got ${describeValue(iouThreshold)})`);
  }
  const scoreThreshold = opts.scoreThreshold ?? DEFAULT_CONFUSION_SCORE;
  if (typeof scoreThreshold !== 'number' || !Number.isFinite(scoreThreshold)) {
    throw new CocoEvalInputError('options', 'scoreThreshold', `must be a finite number (got ${describeValue(scoreThreshold)})`);
  }
  return { iouThreshold, scoreThreshold };
}

/** Rows of `table` (those `keep` accepts) grouped by image: rows of image i are `rows[start[i]..start[i + 1])`. */
function groupByImage(table: IndexedBoxes, numImages: number, keep: (row: number) => boolean): { start: Int32Array; rows: Int32Array } {
  const start = new Int32Array(numImages + 1);
  let kept = 0;
  for (let r = 0; r < table.count; r++) {
    if (!keep(r)) continue;
    start[table.imageIndex[r] + 1]++;
    kept++;
  }
  for (let i = 0; i < numImages; i++) start[i + 1] += start[i];
  const next = start.slice(0, numImages);
  const rows = new Int32Array(kept);
  for (let r = 0; r < table.count; r++) if (keep(r)) rows[next[table.imageIndex[r]]++] = r; // input order within an image
  return { start, rows };
}

/** Copies the boxes of `rows` (COCO xywh) into `out`. */
function gatherBoxes(boxes: Float64Array, rows: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let j = 0; j < rows.length; j++) for (let c = 0; c < 4; c++) out[j * 4 + c] = boxes[rows[j] * 4 + c];
  return out;
}

/**
 * Detection confusion matrix, the semantics of ultralytics' `ConfusionMatrix.process_batch`.
 * Per image: detections scoring ≥ `scoreThreshold` are matched to the non-crowd ground truth,
 * class-agnostically and greedily, highest IoU first (ties: higher score, then input order), each box
 * used at most once, a pair needing IoU ≥ `iouThreshold`. A matched pair counts in
 * [predicted class][true class], an unmatched ground-truth box in [background][true class], an
 * unmatched detection in [predicted class][background] — unless it lies on a crowd region (IoU ≥
 * threshold with the COCO crowd IoU), which it is then ignored (`ignoredDetections`), as in COCO.
 * Crowd ground truth is never counted as missed.
 *
 * @param groundTruth COCO instances, as `evaluateBbox` takes them
 * @param detections COCO results records, or columns from `loadResultsFile`
 * @returns the matrix, rows = predicted, columns = true (see `ConfusionMatrix`)
 * @throws CocoEvalInputError on malformed inputs or options
 */
export function confusionMatrix(
  groundTruth: CocoGroundTruth,
  detections: readonly CocoResult[] | DetectionColumns,
  opts: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  const { iouThreshold, scoreThreshold } = checkOptions(opts);
  const { params, gt, dt } = prepareInputs(groundTruth, detections, {
    imageIds: opts.imageIds,
    categoryIds: opts.categoryIds,
    sourceNames: opts.sourceNames,
  });
  const numClasses = params.categoryIds.length;
  const background = numClasses;
  const matrix = Array.from({ length: numClasses + 1 }, () => new Array<number>(numClasses + 1).fill(0));
  const numImages = params.imageIds.length;
  const truths = groupByImage(gt, numImages, (r) => gt.crowd[r] === 0);
  const crowds = groupByImage(gt, numImages, (r) => gt.crowd[r] !== 0);
  const dets = groupByImage(dt, numImages, (r) => dt.scores[r] >= scoreThreshold);
  let ignoredDetections = 0;

  for (let image = 0; image < numImages; image++) {
    const g = truths.rows.subarray(truths.start[image], truths.start[image + 1]);
    const d = dets.rows.subarray(dets.start[image], dets.start[image + 1]);
    const dtBoxes = gatherBoxes(dt.boxes, d, new Float64Array(d.length * 4));
    const iou = boxIouInto(dtBoxes, d.length, gatherBoxes(gt.boxes, g, new Float64Array(g.length * 4)), g.length, new Uint8Array(g.length), new Float64Array(d.length * g.length));
    // Candidate pairs (index into iou = di * G + gi), best first.
    const pairs: number[] = [];
    for (let p = 0; p < iou.length; p++) if (iou[p] >= iouThreshold) pairs.push(p);
    pairs.sort((a, b) => iou[b] - iou[a] || dt.scores[d[Math.floor(b / g.length)]] - dt.scores[d[Math.floor(a / g.length)]] || a - b);
    const gtUsed = new Uint8Array(g.length);
    const dtUsed = new Uint8Array(d.length);
    for (const p of pairs) {
      const di = Math.floor(p / g.length);
      const gi = p - di * g.length;
      if (gtUsed[gi] || dtUsed[di]) continue;
      gtUsed[gi] = 1;
      dtUsed[di] = 1;
      matrix[dt.categoryIndex[d[di]]][gt.categoryIndex[g[gi]]]++;
    }
    for (let gi = 0; gi < g.length; gi++) if (!gtUsed[gi]) matrix[background][gt.categoryIndex[g[gi]]]++;

    const c = crowds.rows.subarray(crowds.start[image], crowds.start[image + 1]);
    const crowdIou = boxIouInto(dtBoxes, d.length, gatherBoxes(gt.boxes, c, new Float64Array(c.length * 4)), c.length, new Uint8Array(c.length).fill(1), new Float64Array(d.length * c.length));
    for (let di = 0; di < d.length; di++) {
      if (dtUsed[di]) continue;
      if (crowdIou.subarray(di * c.length, (di + 1) * c.length).some((v) => v >= iouThreshold)) ignoredDetections++;
      else matrix[dt.categoryIndex[d[di]]][background]++;
    }
  }
  return {
    classes: params.categoryIds.map((id, k) => ({ id, name: params.categoryNames[k] })),
    matrix,
    iouThreshold,
    scoreThreshold,
    ignoredDetections,
  };
}

/** Options of `formatConfusionMatrix`. */
export interface FormatConfusionOptions {
  /** Divide each column by its sum (the fraction of each true class), 2 decimals. Default false. */
  readonly normalize?: boolean;
}

/**
 * Each column divided by its sum (ultralytics' normalised matrix: where each true class went);
 * a column without entries stays 0.
 */
export function normalizeConfusionColumns(matrix: readonly (readonly number[])[]): number[][] {
  const sums = matrix[0]?.map((_, t) => matrix.reduce((s, row) => s + row[t], 0)) ?? [];
  return matrix.map((row) => row.map((v, t) => (sums[t] > 0 ? v / sums[t] : 0)));
}

/** `confusion matrix at IoU 0.5, score ≥ 0.25`: the thresholds, as the CLI and the plot title state them. */
export const confusionMatrixTitle = (result: Pick<ConfusionMatrix, 'iouThreshold' | 'scoreThreshold'>): string =>
  `confusion matrix at IoU ${result.iouThreshold}, score ≥ ${result.scoreThreshold}`;

/**
 * The matrix as a text table: a title line (thresholds; rows predicted, columns true), a header of
 * true classes, one line per predicted class, background last. The background/background cell is '-'.
 */
export function formatConfusionMatrix(result: ConfusionMatrix, opts: FormatConfusionOptions = {}): string {
  const labels = [...result.classes.map((c) => c.name), BACKGROUND];
  const values = opts.normalize ? normalizeConfusionColumns(result.matrix) : result.matrix;
  const background = result.classes.length;
  const cell = (v: number, p: number, t: number): string => (p === background && t === background ? '-' : opts.normalize ? v.toFixed(2) : String(v));
  const corner = 'predicted \\ true';
  const rows = values.map((row, p) => [labels[p], ...row.map((v, t) => cell(v, p, t))]);
  const header = [corner, ...labels];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  const title = `${confusionMatrixTitle(result)}${opts.normalize ? ', normalised by column' : ''} (rows: predicted, columns: true)`;
  const notes = result.ignoredDetections > 0 ? [`(${result.ignoredDetections} detection${result.ignoredDetections === 1 ? '' : 's'} on crowd regions ignored)`] : [];
  return [title, line(header), ...rows.map(line), ...notes].join('\n');
}
