import type { CocoAnnotation, CocoGroundTruth, CocoResult } from '../types';

type AnnotationSpec = Partial<CocoAnnotation> & Pick<CocoAnnotation, 'image_id' | 'bbox'>;

/**
 * A small ground truth: annotations default to category 1, area = w × h, not crowd, ids 1, 2, …
 * Categories default to a single one (id 1).
 */
export function groundTruth(
  imageIds: number[],
  annotations: AnnotationSpec[],
  categories: { id: number; name: string }[] = [{ id: 1, name: 'thing' }],
): CocoGroundTruth {
  return {
    images: imageIds.map((id) => ({ id })),
    annotations: annotations.map((a, i) => ({ id: i + 1, category_id: 1, area: a.bbox[2] * a.bbox[3], iscrowd: 0, ...a })),
    categories,
  };
}

/** A detection (category 1 unless given). */
export const det = (image_id: number, bbox: number[], score: number, category_id = 1): CocoResult => ({ image_id, category_id, bbox, score });

/** 101 recall thresholds: AP of a PR curve that is `high` up to recall `upTo` (inclusive) and `low` after. */
export function stepAp(upTo: number, high: number, low: number): number {
  let sum = 0;
  for (let r = 0; r <= 100; r++) sum += r / 100 <= upTo ? high : low;
  return sum / 101;
}

/** Element-wise closeness (precision carries the reference's `np.spacing(1)` term, so 1 is 1 − 2e-16). */
export function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-12): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    if (Math.abs(v - expected[i]) > tolerance) throw new Error(`entry ${i}: expected ${expected[i]}, got ${v} (all: ${actual.join(', ')})`);
  });
}
