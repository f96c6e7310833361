/** Greedy non-maximum suppression on typed arrays, class-wise (boxes of different classes never suppress each other). */
import { boxAreas, pairIou, type BoxesXyxy } from '@retina/anchors';

/**
 * Indices of the boxes kept, best score first: a box is dropped when a higher-scoring kept box of the
 * same class overlaps it with IoU > iouThreshold (torchvision `batched_nms`; IoU in float32 steps as
 * there, from `@retina/anchors`). Ties keep the lower index.
 */
export function batchedNms(boxes: BoxesXyxy, scores: Float32Array, classes: Int32Array, iouThreshold: number, maxKeep = Infinity): number[] {
  const areas = boxAreas(boxes);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxKeep) break;
    const same = keptByClass.get(classes[i]) ?? [];
    if (same.some((k) => pairIou(boxes, areas, k, i) > iouThreshold)) continue;
    same.push(i);
    keptByClass.set(classes[i], same);
    kept.push(i);
  }
  return kept;
}
