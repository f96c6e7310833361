import { Rng, type DatasetImage } from '@retina/coco';
import { analyzeAnchors } from './analysis';
import { collectBoxes, DEFAULT_RESIZE } from './boxes';
import { checkAnchorFlags } from './config-flags';
import { suggestAnchors } from './suggest';

/** 800 × 800 images (no resize) with `perImage` boxes whose sides are drawn from [minSide, maxSide]. */
function dataset(seed: number, images: number, perImage: number, minSide: number, maxSide: number, aspect = 1): DatasetImage[] {
  const rng = new Rng(seed);
  return Array.from({ length: images }, (_, i) => ({
    id: i + 1,
    fileName: `${i + 1}.jpg`,
    path: `/nowhere/${i + 1}.jpg`,
    width: 800,
    height: 800,
    annotations: Array.from({ length: perImage }, (_, k) => {
      const w = rng.uniform(minSide, maxSide);
      const h = w * aspect * rng.uniform(0.8, 1.25);
      const x = rng.uniform(0, 800 - w);
      const y = rng.uniform(0, 800 - h);
      return { id: 1000 * (i + 1) + k, imageId: i + 1, categoryId: 1, box: [x, y, x + w, y + h] as [number, number, number, number], area: w * h, iscrowd: false };
    }),
  }));
}

describe('suggestAnchors (structured k-means on 1 − IoU)', () => {
  it('is deterministic: the same seed gives the same config and IoUs; the seed is reported', () => {
    const boxes = collectBoxes(dataset(1, 30, 10, 10, 200), DEFAULT_RESIZE);
    const a = suggestAnchors(boxes, checkAnchorFlags(), { seed: 5 });
    const b = suggestAnchors(boxes, checkAnchorFlags(), { seed: 5 });
    expect(b.checked.flags).toEqual(a.checked.flags);
    expect(Array.from(b.iou)).toEqual(Array.from(a.iou));
    expect([a.seed, a.restarts, a.clusteredBoxes]).toEqual([5, 4, 300]);
  });

  it('samples at most maxBoxes boxes for the clustering, the same sample for the same seed', () => {
    const boxes = collectBoxes(dataset(2, 20, 10, 10, 200), DEFAULT_RESIZE);
    const a = suggestAnchors(boxes, checkAnchorFlags(), { seed: 1, maxBoxes: 50 });
    expect(a.clusteredBoxes).toBe(50);
    expect(suggestAnchors(boxes, checkAnchorFlags(), { seed: 1, maxBoxes: 50 }).checked.flags).toEqual(a.checked.flags);
  });

  it('shrinks the anchors for a dataset of small boxes (8–20 px) and raises coverage from near 0', () => {
    const r = analyzeAnchors(dataset(3, 40, 10, 8, 20), { suggest: { seed: 0 } });
    const before = r.coverage.overall;
    const after = r.suggestion?.coverage.overall;
    expect(before.share40).toBeLessThanOrEqual(0.05);
    expect(after?.share40).toBeGreaterThan(0.4);
    expect(after?.share50).toBeGreaterThan((before.share50 ?? 0) + 0.2);
    expect(r.suggestion?.keptInput).toBe(false);
    expect(r.suggestion?.config.sizes[0]).toBeLessThan(20);
    expect(r.suggestion?.config.strides).toEqual(r.config.strides);
  });

  it('fits a ratio to tall boxes (h/w ≈ 5, beyond the default 2) and covers many more of them', () => {
    const r = analyzeAnchors(dataset(4, 30, 8, 20, 80, 5), { suggest: { seed: 0 } });
    expect(r.suggestion?.config.ratios.some((q) => q > 4 && q < 6)).toBe(true);
    expect(r.coverage.overall.share50).toBeLessThan(0.3);
    expect(r.suggestion?.coverage.overall.share50).toBeGreaterThan(0.9);
  });

  it('never covers fewer boxes than the given config, and prints flags that reproduce its numbers', () => {
    const images = dataset(5, 20, 6, 40, 400);
    const r = analyzeAnchors(images, { suggest: { seed: 2 } });
    const s = r.suggestion!;
    expect(s.coverage.overall.matched50).toBeGreaterThanOrEqual(r.coverage.overall.matched50);
    const again = analyzeAnchors(images, { anchors: s.config });
    expect(again.coverage.overall).toEqual(s.coverage.overall);
    expect(s.flags).toBe(again.flags);
    expect(s.config.scales[0]).toBe(1);
  });

  it('keeps the input when nothing beats it: boxes that are exactly the anchors', () => {
    const im: DatasetImage = { ...dataset(6, 1, 0, 1, 1)[0], annotations: [[384, 384, 416, 416], [368, 368, 432, 432]].map((box, k) => ({ id: k + 1, imageId: 1, categoryId: 1, box: box as [number, number, number, number], area: 1, iscrowd: false })) };
    const r = analyzeAnchors([im], { suggest: { seed: 0 } });
    expect(r.coverage.overall.meanBestIou).toBe(1);
    expect(r.suggestion).toMatchObject({ keptInput: true, config: r.config });
  });
});
