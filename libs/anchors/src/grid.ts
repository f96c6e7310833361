/**
 * Anchors with their lattice kept. On a level, base anchor b at location (y, x) spans
 * [stride·(x + offset) + bx1, stride·(x + offset) + bx2] × [stride·(y + offset) + by1, …], so
 * (1) the anchors a GT box can overlap form a small window of the lattice — every other pair has IoU
 * exactly 0 — and (2) inside the window the x-overlap depends only on x and the y-overlap only on y.
 * `matchGridAnchors` visits only those windows and computes each overlap side once per column/row:
 * the same labels as `matchAnchors(boxIou(gt, anchors), …)` at a fraction of the cost.
 */
import { resolveAnchorConfig, type AnchorConfig } from './config';
import { baseAnchors, featureSize, generateAnchors } from './generate';
import * as iou from './iou';
import { BELOW_LOW_THRESHOLD, resolveThresholds, type MatchOptions } from './matcher';
import { MatchState } from './match-state';
import { checkBoxes, checkFinite, type BoxesXyxy } from './types';

const f = Math.fround;
/** Bound once: esbuild's CommonJS output (what tsx runs) reads exports through getters, 3× slower per pair. */
const { boxAreas, overlap, overlapIou } = iou;

export interface GridLevel {
  /** Index of the level's first anchor in `anchors`. */
  start: number;
  stride: number;
  /** Feature-map height and width: ceil(image size / stride). */
  height: number;
  width: number;
  /** Base anchors centred on (0, 0), [numBase * 4] xyxy. */
  base: Float32Array;
  offset: number;
}

export interface AnchorGrid {
  imageHeight: number;
  imageWidth: number;
  /** The same array as generateAnchors(imageHeight, imageWidth, config). */
  anchors: BoxesXyxy;
  /** [numAnchors] float32 areas of `anchors`. */
  areas: Float32Array;
  levels: GridLevel[];
}

/** Anchors of a padded image with their lattice structure; build once per padded size and reuse. */
export function anchorGrid(imageHeight: number, imageWidth: number, config?: AnchorConfig): AnchorGrid {
  const anchors = generateAnchors(imageHeight, imageWidth, config);
  const c = resolveAnchorConfig(config);
  let start = 0;
  const levels = c.strides.map((stride, i) => {
    const base = baseAnchors(c.sizes[i], c.ratios);
    const level = { start, stride, height: featureSize(imageHeight, stride), width: featureSize(imageWidth, stride), base, offset: c.offset };
    start += level.height * level.width * (base.length / 4);
    return level;
  });
  return { imageHeight, imageWidth, anchors, areas: boxAreas(anchors), levels };
}

interface GtBox {
  g: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  area: number;
}

/**
 * Inclusive lattice range [first, last] of base-anchor extent lo..hi that may overlap (g1, g2):
 * overlap needs (g1 − hi)/stride − offset < i < (g2 − lo)/stride − offset; floor/ceil keep one index
 * of slack on each side, so float rounding of the bounds can never drop an overlapping anchor.
 */
function latticeWindow(g1: number, g2: number, lo: number, hi: number, L: GridLevel, size: number): [number, number] {
  return [Math.max(0, Math.floor((g1 - hi) / L.stride - L.offset)), Math.min(size - 1, Math.ceil((g2 - lo) / L.stride - L.offset))];
}

/** Offers every positive IoU of one GT box with base anchor b of level L. */
function offerBaseAnchor(grid: AnchorGrid, L: GridLevel, b: number, box: GtBox, state: MatchState, iwBuf: Float64Array): void {
  const A = grid.anchors;
  const nb = L.base.length / 4;
  const [xa, xb] = latticeWindow(box.x1, box.x2, L.base[4 * b], L.base[4 * b + 2], L, L.width);
  const [ya, yb] = latticeWindow(box.y1, box.y2, L.base[4 * b + 1], L.base[4 * b + 3], L, L.height);
  for (let x = xa; x <= xb; x++) {
    const k = 4 * (L.start + x * nb + b);
    iwBuf[x - xa] = overlap(A[k], A[k + 2], box.x1, box.x2);
  }
  for (let y = ya; y <= yb; y++) {
    const rowStart = L.start + y * L.width * nb + b;
    const k = 4 * (rowStart + xa * nb);
    const ih = overlap(A[k + 1], A[k + 3], box.y1, box.y2);
    if (ih <= 0) continue;
    for (let x = xa; x <= xb; x++) {
      const iw = iwBuf[x - xa];
      if (iw <= 0) continue;
      const a = rowStart + x * nb;
      state.offer(box.g, a, overlapIou(iw, ih, box.area, grid.areas[a]));
    }
  }
}

/**
 * Matches the anchors of `grid` to `gt` boxes with the reference rule (see matchAnchors).
 * @param gt [numGt * 4] xyxy
 * @returns Int32Array [numAnchors]: GT index, −1 background, −2 ignore
 */
export function matchGridAnchors(grid: AnchorGrid, gt: BoxesXyxy, opts: MatchOptions = {}): Int32Array {
  const numGt = checkBoxes('matchGridAnchors', 'gt', gt);
  checkFinite('matchGridAnchors', 'gt', gt);
  const t = resolveThresholds('matchGridAnchors', opts);
  const numAnchors = grid.anchors.length / 4;
  if (numGt === 0) return new Int32Array(numAnchors).fill(BELOW_LOW_THRESHOLD);
  const state = new MatchState(numGt, numAnchors);
  const iwBuf = new Float64Array(Math.max(...grid.levels.map((L) => L.width)));
  for (let g = 0; g < numGt; g++) {
    const [x1, y1, x2, y2] = gt.subarray(4 * g, 4 * g + 4);
    const box = { g, x1, y1, x2, y2, area: f(f(x2 - x1) * f(y2 - y1)) };
    for (const L of grid.levels) {
      for (let b = 0; b < L.base.length / 4; b++) offerBaseAnchor(grid, L, b, box, state, iwBuf);
    }
  }
  return state.labels(t);
}
