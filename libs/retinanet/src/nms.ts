/** Greedy non-maximum suppression on typed arrays, class-wise (boxes of different classes never suppress each other). */
import type { BoxesXyxy } from '@retina/anchors';

function iou(b: BoxesXyxy, i: number, j: number): number {
  const w = Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]);
  const h = Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const area = (k: number) => (b[4 * k + 2] - b[4 * k]) * (b[4 * k + 3] - b[4 * k + 1]);
  return inter / (area(i) + area(j) - inter);
}

/**
 * Indices of the boxes kept, best score first: a box is dropped when a higher-scoring kept box of the
 * same class overlaps it with IoU > iouThreshold (torchvision `batched_nms`). Ties keep the lower index.
 */
export function batchedNms(boxes: BoxesXyxy, scores: Float32Array, classes: Int32Array, iouThreshold: number, maxKeep = Infinity): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxKeep) break;
    const same = keptByClass.get(classes[i]) ?? [];
    if (same.some((k) => iou(boxes, k, i) > iouThreshold)) continue;
    same.push(i);
    keptByClass.set(classes[i], same);
    kept.push(i);
  }
  return kept;
}
