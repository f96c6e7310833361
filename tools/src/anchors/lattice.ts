/**
 * Best IoU of a box with any anchor of a padded image, without generating the anchors.
 *
 * On a level of stride t, base anchor [lo, hi] (one axis) sits at centres c = t·(i + offset). The
 * overlap with a box [g1, g2], min(c + hi, g2) − max(c + lo, g1), is a concave function of c with
 * slopes +1 and −1, symmetric about the centre that centres the anchor on the box: the lattice point
 * nearest to that centre maximises it (the neighbours on either side are also tried, against float
 * rounding; indices clamp to the feature map). The intersection is the product of the x and y
 * overlaps and every anchor of a base shape has the same area, so the best IoU of a base shape is
 * the IoU at the best x times the best y: 3 + 3 candidates per base anchor and level instead of the
 * whole grid. A base anchor whose IoU with the box centred on it (an upper bound of any placement)
 * cannot beat the best so far is skipped. Arithmetic follows `boxIou` (float32 coordinates, areas,
 * intersection and union), so the result equals max_j boxIou(box, generateAnchors(...))[j].
 */
import { baseAnchors, featureSize, type ResolvedAnchorConfig } from '@retina/anchors';

/** Bound once: global lookups inside jest's vm context are slow in hot loops. */
const { fround: f, round } = Math;
/**
 * Relative slack of the skip test: the bound is computed in float64, the IoU in float32 steps that
 * may round it up by a few ulps (~1e-7), so only anchors clearly below the best so far are skipped.
 */
const BOUND_SLACK = 1e-6;

/** One pyramid level of a padded image. */
export interface LatticeLevel {
  stride: number;
  offset: number;
  /** Feature-map width and height: ceil(padded size / stride). */
  cols: number;
  rows: number;
  /** Base anchors centred on (0, 0), [numBase * 4] xyxy, in `baseAnchors` order (ratio-major, then size). */
  base: Float32Array;
  /** [numBase * 3] width, height, area of each base anchor (for the skip test). */
  shapes: Float64Array;
}

/** The anchor lattice of one padded image size; build once per size and reuse. */
export interface AnchorLattice {
  height: number;
  width: number;
  levels: LatticeLevel[];
}

/** Which anchor shape gave a box its best IoU. */
export interface BestAnchor {
  iou: number;
  /** Index into `lattice.levels`; −1 when no anchor overlaps the box. */
  level: number;
  /** Index into the level's base anchors: ratio index × sizes per level + size index. */
  base: number;
}

export function anchorLattice(paddedHeight: number, paddedWidth: number, config: ResolvedAnchorConfig): AnchorLattice {
  const levels = config.strides.map((stride, i) => {
    const base = baseAnchors(config.sizes[i], config.ratios);
    const shapes = new Float64Array((base.length / 4) * 3);
    for (let b = 0, k = 0; k < base.length; b++, k += 4) {
      shapes[3 * b] = base[k + 2] - base[k];
      shapes[3 * b + 1] = base[k + 3] - base[k + 1];
      shapes[3 * b + 2] = shapes[3 * b] * shapes[3 * b + 1];
    }
    return { stride, offset: config.offset, cols: featureSize(paddedWidth, stride), rows: featureSize(paddedHeight, stride), base, shapes };
  });
  return { height: paddedHeight, width: paddedWidth, levels };
}

/** Length of the best-placed anchor side on one axis; written by `bestOverlap` next to its result. */
let bestSide = 0;

/** Largest overlap of [g1, g2] with [c + lo, c + hi] over lattice centres c = stride·(i + offset), i in 0..n−1. */
function bestOverlap(g1: number, g2: number, lo: number, hi: number, stride: number, offset: number, n: number): number {
  const centre = round((g1 + g2 - lo - hi) / 2 / stride - offset);
  let best = -Infinity;
  for (let i = centre - 1; i <= centre + 1; i++) {
    const c = stride * ((i < 0 ? 0 : i >= n ? n - 1 : i) + offset);
    const a1 = f(c + lo);
    const a2 = f(c + hi);
    const overlap = (a2 < g2 ? a2 : g2) - (a1 > g1 ? a1 : g1);
    if (overlap > best || (overlap === best && a2 - a1 < bestSide)) {
      best = overlap;
      bestSide = a2 - a1;
    }
  }
  return best;
}

/**
 * Best IoU of box (x1, y1, x2, y2) — float32 values, absolute pixels of the padded image — with any
 * anchor of `lattice`. Fills and returns `out` (pass one in to avoid allocating per box).
 */
export function bestAnchorIou(lattice: AnchorLattice, x1: number, y1: number, x2: number, y2: number, out: BestAnchor = { iou: 0, level: -1, base: -1 }): BestAnchor {
  const gw = x2 - x1;
  const gh = y2 - y1;
  const area = f(f(gw) * f(gh));
  out.iou = 0;
  out.level = -1;
  out.base = -1;
  for (let l = 0; l < lattice.levels.length; l++) {
    const { stride, offset, cols, rows, base, shapes } = lattice.levels[l];
    for (let b = 0, k = 0; k < base.length; b++, k += 4) {
      const w0 = shapes[3 * b] < gw ? shapes[3 * b] : gw;
      const h0 = shapes[3 * b + 1] < gh ? shapes[3 * b + 1] : gh;
      const centred = w0 * h0;
      if ((centred / (area + shapes[3 * b + 2] - centred)) * (1 + BOUND_SLACK) <= out.iou) continue;
      const iw = bestOverlap(x1, x2, base[k], base[k + 2], stride, offset, cols);
      if (iw <= 0) continue;
      const w = bestSide;
      const ih = bestOverlap(y1, y2, base[k + 1], base[k + 3], stride, offset, rows);
      if (ih <= 0) continue;
      const inter = f(f(iw) * f(ih));
      const iou = f(inter / f(f(area + f(f(w) * f(bestSide))) - inter));
      if (iou > out.iou) {
        out.iou = iou;
        out.level = l;
        out.base = b;
      }
    }
  }
  return out;
}
