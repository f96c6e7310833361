/** Small structural helpers on xyxy boxes, and the COCO xywh boundary. */
import { AnchorArgumentError, checkBoxes, type BoxesXywh, type BoxesXyxy } from './types';

const { max, min } = Math;

function checkNonNegative(fn: string, name: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new AnchorArgumentError(fn, `${name} must be a finite number ≥ 0 (got ${v})`);
}

/** Clips boxes to [0, width] × [0, height] (new array). */
export function clipBoxes(boxes: BoxesXyxy, height: number, width: number): BoxesXyxy {
  checkBoxes('clipBoxes', 'boxes', boxes);
  checkNonNegative('clipBoxes', 'height', height);
  checkNonNegative('clipBoxes', 'width', width);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = min(max(boxes[i], 0), width);
    out[i + 1] = min(max(boxes[i + 1], 0), height);
    out[i + 2] = min(max(boxes[i + 2], 0), width);
    out[i + 3] = min(max(boxes[i + 3], 0), height);
  }
  return out;
}

/**
 * Indices of the boxes whose width and height are both > 0 and ≥ minSize (torchvision's
 * remove_small_boxes, which also drops empty boxes here).
 */
export function removeSmallBoxes(boxes: BoxesXyxy, minSize = 0): Int32Array {
  const n = checkBoxes('removeSmallBoxes', 'boxes', boxes);
  checkNonNegative('removeSmallBoxes', 'minSize', minSize);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = boxes[4 * i + 2] - boxes[4 * i];
    const h = boxes[4 * i + 3] - boxes[4 * i + 1];
    if (w > 0 && h > 0 && w >= minSize && h >= minSize) keep.push(i);
  }
  return Int32Array.from(keep);
}

/** Gathers boxes by index: [indices.length * 4]. */
export function selectBoxes(boxes: BoxesXyxy, indices: ArrayLike<number>): BoxesXyxy {
  const n = checkBoxes('selectBoxes', 'boxes', boxes);
  const out = new Float32Array(indices.length * 4);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new AnchorArgumentError('selectBoxes', `indices[${i}] = ${j} is not a box index in 0..${n - 1}`);
    out.set(boxes.subarray(4 * j, 4 * j + 4), 4 * i);
  }
  return out;
}

/** COCO (x, y, w, h) → (x1, y1, x2, y2). */
export function xywhToXyxy(boxes: BoxesXywh): BoxesXyxy {
  checkBoxes('xywhToXyxy', 'boxes', boxes);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i];
    out[i + 1] = boxes[i + 1];
    out[i + 2] = boxes[i] + boxes[i + 2];
    out[i + 3] = boxes[i + 1] + boxes[i + 3];
  }
  return out;
}

/** (x1, y1, x2, y2) → COCO (x, y, w, h). */
export function xyxyToXywh(boxes: BoxesXyxy): BoxesXywh {
  checkBoxes('xyxyToXywh', 'boxes', boxes);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i];
    out[i + 1] = boxes[i + 1];
    out[i + 2] = boxes[i + 2] - boxes[i];
    out[i + 3] = boxes[i + 3] - boxes[i + 1];
  }
  return out;
}
