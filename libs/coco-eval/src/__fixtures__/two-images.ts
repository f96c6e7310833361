import type { EvaluateBboxOptions } from '../params';
import type { CocoResult } from '../types';
import { det, groundTruth } from './cases';

/**
 * Two images, three ground-truth boxes, four detections, one category, worked through
 * `evaluateImages` and `accumulate` by hand in evaluate.spec.ts and accumulate.spec.ts.
 *
 * Ground truth (xywh, area = w × h):
 * - image 1: A [0, 0, 10, 10] and B [20, 0, 10, 10], area 100 each (small: ≤ 32² = 1024);
 * - image 2: C [0, 0, 40, 40], area 1600 (medium: 1024 … 96² = 9216).
 *
 * Detections (input rows 0–3), their IoUs (intersection / union) and areas:
 * - d0 image 1 [0, 0, 10, 8]   score 0.9: IoU(A) = 80 / (80 + 100 − 80) = 0.8, IoU(B) = 0; area 80;
 * - d1 image 1 [20, 0, 10, 6]  score 0.6: IoU(B) = 60 / (60 + 100 − 60) = 0.6, IoU(A) = 0; area 60;
 * - d2 image 1 [0, 0, 10, 10]  score 0.7: IoU(A) = 1, IoU(B) = 0 (a duplicate of A); area 100;
 * - d3 image 2 [0, 0, 40, 20]  score 0.8: IoU(C) = 800 / (800 + 1600 − 800) = 0.5 exactly; area 800.
 *
 * Pooled order (by score, highest first): d0 (0.9), d3 (0.8), d2 (0.7), d1 (0.6).
 */
export const TWO_IMAGES = groundTruth([1, 2], [
  { image_id: 1, bbox: [0, 0, 10, 10] },
  { image_id: 1, bbox: [20, 0, 10, 10] },
  { image_id: 2, bbox: [0, 0, 40, 40] },
]);

export const FOUR_DETECTIONS: CocoResult[] = [
  det(1, [0, 0, 10, 8], 0.9),
  det(1, [20, 0, 10, 6], 0.6),
  det(1, [0, 0, 10, 10], 0.7),
  det(2, [0, 0, 40, 20], 0.8),
];

/** Two IoU thresholds and two maxDets keep the arrays small enough to write out. */
export const TWO_IMAGES_OPTIONS: EvaluateBboxOptions = { iouThresholds: [0.5, 0.75], maxDets: [1, 100] };
