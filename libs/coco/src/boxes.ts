/** The COCO-boundary box conversions (xywh ↔ xyxy) and simple box arithmetic on typed arrays. */
import type { BoxXyxy, CocoXywh } from './types';

/** [x, y, w, h] → [x1, y1, x2, y2]. */
export function xywhToXyxy(b: CocoXywh): BoxXyxy {
  return [b[0], b[1], b[0] + b[2], b[1] + b[3]];
}

/** [x1, y1, x2, y2] → [x, y, w, h]. */
export function xyxyToXywh(b: BoxXyxy): CocoXywh {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}

/** Clips one box to [0, width] × [0, height]; returns a new box. */
export function clipBox(b: BoxXyxy, width: number, height: number): BoxXyxy {
  return [clamp(b[0], 0, width), clamp(b[1], 0, height), clamp(b[2], 0, width), clamp(b[3], 0, height)];
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
