/**
 * Box IoU in the reference's float32 arithmetic (torchvision `box_iou`): areas, overlap sides,
 * intersection and union each rounded to float32, so that ties and threshold comparisons come out as
 * in the reference. A pair that does not overlap (including any degenerate box, x2 ≤ x1 or y2 ≤ y1)
 * has IoU exactly 0.
 */
import { checkBoxes, checkFinite, type BoxesXyxy } from './types';

const f = Math.fround;

/** Areas (x2 − x1)(y2 − y1) of [N*4] xyxy boxes, float32. */
export function boxAreas(boxes: BoxesXyxy): Float32Array {
  const n = checkBoxes('boxAreas', 'boxes', boxes);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(f(boxes[4 * i + 2] - boxes[4 * i]) * f(boxes[4 * i + 3] - boxes[4 * i + 1]));
  return out;
}

/**
 * Length of the overlap of [a1, a2] and [b1, b2]; ≤ 0 when they do not overlap. Inputs are finite
 * (checked by the callers). Hot loops here use no global lookups (`Math.min`, `Number.isFinite`):
 * inside jest's vm context each such lookup is slow, which made the tests 40× slower.
 */
export function overlap(a1: number, a2: number, b1: number, b2: number): number {
  return (a2 < b2 ? a2 : b2) - (a1 > b1 ? a1 : b1);
}

/**
 * IoU from the positive overlap sides `iw`, `ih` (differences of float32 coordinates, taken in float64)
 * and the two float32 areas: inter / (areaA + areaB − inter), every step in float32.
 */
export function overlapIou(iw: number, ih: number, areaA: number, areaB: number): number {
  const inter = f(f(iw) * f(ih));
  return f(inter / f(f(areaA + areaB) - inter));
}

/**
 * IoU of boxes `i` and `j` of one [N*4] xyxy set, in the same float32 steps as `boxIou`; `areas` from
 * `boxAreas(boxes)`. For loops that test a few pairs (greedy NMS) rather than the whole matrix; the
 * caller has checked the boxes.
 */
export function pairIou(boxes: BoxesXyxy, areas: Float32Array, i: number, j: number): number {
  const a = 4 * i;
  const b = 4 * j;
  const iw = overlap(boxes[a], boxes[a + 2], boxes[b], boxes[b + 2]);
  if (iw <= 0) return 0;
  const ih = overlap(boxes[a + 1], boxes[a + 3], boxes[b + 1], boxes[b + 3]);
  if (ih <= 0) return 0;
  return overlapIou(iw, ih, areas[i], areas[j]);
}

/** IoU of box (x1, y1, x2, y2) of area `area` with every box of `b`, written to out[offset + j]. */
function iouRow(x1: number, y1: number, x2: number, y2: number, area: number, b: BoxesXyxy, areaB: Float32Array, out: Float32Array, offset: number): void {
  for (let j = 0, k = 0; j < areaB.length; j++, k += 4) {
    const iw = overlap(x1, x2, b[k], b[k + 2]);
    if (iw <= 0) continue;
    const ih = overlap(y1, y2, b[k + 1], b[k + 3]);
    if (ih <= 0) continue;
    out[offset + j] = overlapIou(iw, ih, area, areaB[j]);
  }
}

/**
 * Pairwise IoU.
 * @param a [N*4] xyxy, finite
 * @param b [M*4] xyxy, finite
 * @returns Float32Array [N, M] row-major
 */
export function boxIou(a: BoxesXyxy, b: BoxesXyxy): Float32Array {
  const n = checkBoxes('boxIou', 'a', a);
  const m = checkBoxes('boxIou', 'b', b);
  checkFinite('boxIou', 'a', a);
  checkFinite('boxIou', 'b', b);
  const areaA = boxAreas(a);
  const areaB = boxAreas(b);
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) iouRow(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3], areaA[i], b, areaB, out, i * m);
  return out;
}
