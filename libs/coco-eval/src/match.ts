import { boxIouInto } from './iou';
import type { EvalParams } from './params';
import type { DetectionTable, GroundTruthTable } from './prepare';

/**
 * What one detection counts as, for one area range and IoU threshold. Bit 0 marks a true positive
 * and bit 1 a false positive, so that counting needs no branch.
 */
export const DetectionState = {
  /** Matched to an ignored box (crowd, out of area range), or unmatched and out of area range. */
  Ignored: 0,
  /** Matched to a non-ignored ground-truth box. */
  TruePositive: 1,
  /** Unmatched, inside the area range. */
  FalsePositive: 2,
} as const;

const IGNORED = DetectionState.Ignored;
const TRUE_POSITIVE = DetectionState.TruePositive;
const FALSE_POSITIVE = DetectionState.FalsePositive;
/** The reference caps the IoU needed for a match just below 1 (`min(t, 1 - 1e-10)`). */
const MAX_IOU_THRESHOLD = 1 - 1e-10;

/** Where the matcher writes: per detection position, rank and state; per category and area, #GT. */
export interface MatchOutput {
  readonly order: Uint32Array; // [N] detection row at each position
  readonly rank: Uint32Array; // [N]
  readonly states: Uint8Array; // [A, T, N]
  readonly numGt: Uint32Array; // [K, A]
}

/**
 * The reference's `evaluateImg` for every area range and IoU threshold of one image and category,
 * on reused scratch buffers (nothing allocated per box pair).
 */
export class CellMatcher {
  private readonly thresholds: Float64Array;
  private readonly areaMin: Float64Array;
  private readonly areaMax: Float64Array;
  private readonly maxDet: number;
  private dtBoxes = new Float64Array(0);
  private dtArea = new Float64Array(0);
  private gtBoxes = new Float64Array(0);
  private crowd = new Uint8Array(0);
  private ignored = new Uint8Array(0); // [G] for the current area range, input order
  private perm = new Uint32Array(0); // [G] non-ignored boxes first, then ignored ones
  private matched = new Uint8Array(0); // [G] in `perm` order
  private iou = new Float64Array(0); // [D, G]

  constructor(
    params: EvalParams,
    private readonly gt: GroundTruthTable,
    private readonly dt: DetectionTable,
    private readonly out: MatchOutput,
  ) {
    this.thresholds = Float64Array.from(params.iouThresholds, (t) => Math.min(t, MAX_IOU_THRESHOLD));
    this.areaMin = Float64Array.from(params.areaRanges, (r) => r.min);
    this.areaMax = Float64Array.from(params.areaRanges, (r) => r.max);
    this.maxDet = params.maxDets[params.maxDets.length - 1];
  }

  /**
   * @param k evaluation category
   * @param gtRows ground-truth rows; [gFrom, gTo) are this image's, in input order
   * @param positions detection positions; [dFrom, dTo) are this image's, by score
   */
  evaluate(k: number, gtRows: Uint32Array, gFrom: number, gTo: number, positions: Uint32Array, dFrom: number, dTo: number): void {
    for (let p = dFrom; p < dTo; p++) this.out.rank[positions[p]] = p - dFrom;
    const numDt = Math.min(dTo - dFrom, this.maxDet);
    const numGt = gTo - gFrom;
    this.reserve(numDt, numGt);
    for (let g = 0; g < numGt; g++) {
      copyBox(this.gt.boxes, gtRows[gFrom + g], this.gtBoxes, g);
      this.crowd[g] = this.gt.crowd[gtRows[gFrom + g]];
    }
    for (let d = 0; d < numDt; d++) {
      copyBox(this.dt.boxes, this.out.order[positions[dFrom + d]], this.dtBoxes, d);
      this.dtArea[d] = this.dtBoxes[d * 4 + 2] * this.dtBoxes[d * 4 + 3];
    }
    if (numGt === 0) {
      this.unmatched(positions, dFrom, numDt);
      return;
    }
    if (numDt > 0) boxIouInto(this.dtBoxes, numDt, this.gtBoxes, numGt, this.crowd, this.iou);
    const numAreas = this.areaMin.length;
    for (let a = 0; a < numAreas; a++) {
      this.out.numGt[k * numAreas + a] += this.orderGroundTruth(gtRows, gFrom, numGt, a);
      for (let t = 0; t < this.thresholds.length; t++) this.match(positions, dFrom, numDt, numGt, a, t);
    }
  }

  /** Sets `ignored` and `perm` for area range `a`; returns the number of non-ignored boxes. */
  private orderGroundTruth(gtRows: Uint32Array, gFrom: number, numGt: number, a: number): number {
    let kept = 0;
    for (let g = 0; g < numGt; g++) {
      const row = gtRows[gFrom + g];
      const area = this.gt.areas[row];
      this.ignored[g] = this.gt.crowd[row] || area < this.areaMin[a] || area > this.areaMax[a] ? 1 : 0;
      if (!this.ignored[g]) this.perm[kept++] = g;
    }
    let j = kept;
    for (let g = 0; g < numGt; g++) if (this.ignored[g]) this.perm[j++] = g;
    return kept;
  }

  /** Without ground truth each detection is a false positive, or ignored when out of the area range. */
  private unmatched(positions: Uint32Array, dFrom: number, numDt: number): void {
    const numThresholds = this.thresholds.length;
    for (let a = 0; a < this.areaMin.length; a++) {
      for (let d = 0; d < numDt; d++) {
        const area = this.dtArea[d];
        const state = area < this.areaMin[a] || area > this.areaMax[a] ? IGNORED : FALSE_POSITIVE;
        for (let t = 0; t < numThresholds; t++) this.out.states[(a * numThresholds + t) * this.dt.count + positions[dFrom + d]] = state;
      }
    }
  }

  /** Greedy matching by score at one area range and IoU threshold; writes each detection's state. */
  private match(positions: Uint32Array, dFrom: number, numDt: number, numGt: number, a: number, t: number): void {
    const { iou, perm, ignored, matched, crowd } = this;
    const base = (a * this.thresholds.length + t) * this.dt.count;
    matched.fill(0, 0, numGt);
    for (let d = 0; d < numDt; d++) {
      let best = this.thresholds[t];
      let m = -1;
      for (let j = 0; j < numGt; j++) {
        const g = perm[j];
        if (matched[j] && !crowd[g]) continue;
        if (m > -1 && !ignored[perm[m]] && ignored[g]) break;
        const v = iou[d * numGt + g];
        if (v < best) continue;
        best = v;
        m = j;
      }
      let state: number;
      if (m === -1) {
        const area = this.dtArea[d];
        state = area < this.areaMin[a] || area > this.areaMax[a] ? IGNORED : FALSE_POSITIVE;
      } else {
        matched[m] = 1;
        state = ignored[perm[m]] ? IGNORED : TRUE_POSITIVE;
      }
      this.out.states[base + positions[dFrom + d]] = state;
    }
  }

  private reserve(numDt: number, numGt: number): void {
    if (this.dtArea.length < numDt) {
      this.dtBoxes = new Float64Array(numDt * 4);
      this.dtArea = new Float64Array(numDt);
    }
    if (this.crowd.length < numGt) {
      this.gtBoxes = new Float64Array(numGt * 4);
      this.crowd = new Uint8Array(numGt);
      this.ignored = new Uint8Array(numGt);
      this.perm = new Uint32Array(numGt);
      this.matched = new Uint8Array(numGt);
    }
    if (this.iou.length < numDt * numGt) this.iou = new Float64Array(numDt * numGt);
  }
}

function copyBox(from: Float64Array, row: number, to: Float64Array, at: number): void {
  for (let c = 0; c < 4; c++) to[at * 4 + c] = from[row * 4 + c];
}
