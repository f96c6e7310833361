/**
 * One COCO box at a time: the `bbox` field ([x, y, w, h]) ↔ corners [x1, y1, x2, y2], and clipping to
 * the image. (`@retina/anchors`' xywhToXyxy / xyxyToXywh convert whole Float32Array batches.)
 */
import type { BoxXyxy, CocoXywh } from './types';

/** A COCO `bbox` [x, y, w, h] → [x1, y1, x2, y2]. */
export function bboxToXyxy(b: CocoXywh): BoxXyxy {
  return [b[0], b[1], b[0] + b[2], b[1] + b[3]];
}

/** [x1, y1, x2, y2] → a COCO `bbox` [x, y, w, h]. */
export function xyxyToBbox(b: BoxXyxy): CocoXywh {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}

/** Clips one box to [0, width] × [0, height]; returns a new box. */
export function clipBox(b: BoxXyxy, width: number, height: number): BoxXyxy {
  return [clamp(b[0], 0, width), clamp(b[1], 0, height), clamp(b[2], 0, width), clamp(b[3], 0, height)];
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
