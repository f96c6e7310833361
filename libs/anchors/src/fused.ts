/**
 * Fused IoU + matching for arbitrary anchors, without the [numGt, numAnchors] IoU matrix. Anchors are
 * streamed once; for each, only the GT boxes that overlap it in x are visited, found with an
 * interval-stabbing index on the GT boxes: a GT overlapping the anchor's [x1, x2] in x either
 * contains x1 (gx1 ≤ x1 < gx2; looked up in the list of the column that holds x1) or starts inside
 * (x1 < gx1 < x2; a run of the GT sorted by x1). The two sets are disjoint, so no pair is visited twice.
 */
import * as iou from './iou';
import { BELOW_LOW_THRESHOLD, resolveThresholds, type MatchOptions } from './matcher';
import { MatchState } from './match-state';
import { checkBoxes, checkFinite, type BoxesXyxy } from './types';

const { floor, fround: f, max, min } = Math;
/** Bound once: esbuild's CommonJS output (what tsx runs) reads exports through getters, 3× slower per pair. */
const { overlap, overlapIou } = iou;
/** Columns per GT box in the stabbing index (more columns: shorter lists, more memory). */
const COLUMNS_PER_GT = 4;
const MAX_COLUMNS = 1024;

/** GT boxes sorted by x1 (flat arrays) and, per x column, the sorted positions of the boxes crossing it. */
interface GtIndex {
  /** Original GT index of each sorted position. */
  gtOf: Int32Array;
  x1: Float64Array;
  y1: Float64Array;
  x2: Float64Array;
  y2: Float64Array;
  area: Float64Array;
  /** Columns tile [left, right) in steps of colWidth. */
  left: number;
  right: number;
  colWidth: number;
  /** CSR lists: the boxes crossing column c are colList[colStart[c] .. colStart[c + 1]). */
  colStart: Int32Array;
  colList: Int32Array;
}

function column(s: GtIndex, x: number): number {
  return min(s.colStart.length - 2, max(0, floor((x - s.left) / s.colWidth)));
}

function buildGtIndex(gt: BoxesXyxy): GtIndex {
  const m = gt.length / 4;
  const gtOf = Int32Array.from({ length: m }, (_, i) => i).sort((p, q) => gt[4 * p] - gt[4 * q] || p - q);
  const [x1, y1, x2, y2, area] = Array.from({ length: 5 }, () => new Float64Array(m));
  gtOf.forEach((g, j) => {
    [x1[j], y1[j], x2[j], y2[j]] = gt.subarray(4 * g, 4 * g + 4);
    area[j] = f(f(x2[j] - x1[j]) * f(y2[j] - y1[j]));
  });
  const left = x1[0];
  const right = x2.reduce((r, v) => max(r, v), -Infinity);
  const numCols = min(MAX_COLUMNS, COLUMNS_PER_GT * m);
  const s: GtIndex = { gtOf, x1, y1, x2, y2, area, left, right, colWidth: (right - left) / numCols || 1, colStart: new Int32Array(numCols + 1), colList: new Int32Array(0) };
  for (let j = 0; j < m; j++) for (let c = column(s, x1[j]); c <= column(s, x2[j]); c++) s.colStart[c + 1]++;
  for (let c = 0; c < numCols; c++) s.colStart[c + 1] += s.colStart[c];
  s.colList = new Int32Array(s.colStart[numCols]);
  const fill = s.colStart.slice(0, numCols);
  for (let j = 0; j < m; j++) for (let c = column(s, x1[j]); c <= column(s, x2[j]); c++) s.colList[fill[c]++] = j;
  return s;
}

/** First sorted position whose x1 is > x. */
function firstStartingAfter(s: GtIndex, x: number): number {
  let lo = 0;
  let hi = s.x1.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.x1[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Offers the IoU of sorted GT j with anchor a (x1, y1, x2, y2, area) if they overlap. */
function offerPair(s: GtIndex, j: number, state: MatchState, a: number, x1: number, y1: number, x2: number, y2: number, area: number): void {
  const iw = overlap(x1, x2, s.x1[j], s.x2[j]);
  if (iw <= 0) return;
  const ih = overlap(y1, y2, s.y1[j], s.y2[j]);
  if (ih <= 0) return;
  state.offer(s.gtOf[j], a, overlapIou(iw, ih, s.area[j], area));
}

/**
 * Matches arbitrary anchors to GT boxes; equal to `matchAnchors(boxIou(gt, anchors), numGt, numAnchors, opts)`.
 * For the anchors of `generateAnchors`, `matchGridAnchors` is faster still.
 * @param anchors [numAnchors * 4] xyxy
 * @param gt [numGt * 4] xyxy
 * @returns Int32Array [numAnchors]: GT index, −1 background, −2 ignore
 */
export function matchAnchorsToBoxes(anchors: BoxesXyxy, gt: BoxesXyxy, opts: MatchOptions = {}): Int32Array {
  const numAnchors = checkBoxes('matchAnchorsToBoxes', 'anchors', anchors);
  const numGt = checkBoxes('matchAnchorsToBoxes', 'gt', gt);
  checkFinite('matchAnchorsToBoxes', 'anchors', anchors);
  checkFinite('matchAnchorsToBoxes', 'gt', gt);
  const t = resolveThresholds('matchAnchorsToBoxes', opts);
  if (numGt === 0) return new Int32Array(numAnchors).fill(BELOW_LOW_THRESHOLD);
  const s = buildGtIndex(gt);
  const state = new MatchState(numGt, numAnchors);
  for (let a = 0, k = 0; a < numAnchors; a++, k += 4) {
    const x1 = anchors[k], y1 = anchors[k + 1], x2 = anchors[k + 2], y2 = anchors[k + 3];
    if (x1 >= s.right) continue;
    const area = f(f(x2 - x1) * f(y2 - y1));
    if (x1 >= s.left) {
      const c = column(s, x1);
      for (let p = s.colStart[c]; p < s.colStart[c + 1]; p++) {
        const j = s.colList[p];
        if (s.x1[j] <= x1) offerPair(s, j, state, a, x1, y1, x2, y2, area);
      }
    }
    for (let j = firstStartingAfter(s, x1); j < numGt && s.x1[j] < x2; j++) offerPair(s, j, state, a, x1, y1, x2, y2, area);
  }
  return state.labels(t);
}
