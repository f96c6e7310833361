import { det, expectClose, groundTruth } from './__fixtures__/cases';
import { CLASS_AGNOSTIC_ID, evaluateBbox, summaryLines } from './index';

const CATEGORIES = [
  { id: 1, name: 'cat' },
  { id: 2, name: 'dog' },
];

describe('evaluateBbox options', () => {
  it('class-agnostic mode ignores labels', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10], category_id: 1 }], CATEGORIES);
    const dts = [det(1, [0, 0, 10, 10], 0.9, 2)];
    expect(evaluateBbox(gt, dts).stats[0]).toBe(0);
    const agnostic = evaluateBbox(gt, dts, { classAgnostic: true });
    expectClose([agnostic.stats[0]], [1]);
    expect(agnostic.perClass).toEqual([expect.objectContaining({ categoryId: CLASS_AGNOSTIC_ID, numGt: 1, numDt: 1 })]);
  });

  it('evaluates a subset of images, leaving the others out entirely', () => {
    const gt = groundTruth([1, 2], [
      { image_id: 1, bbox: [0, 0, 10, 10] },
      { image_id: 2, bbox: [0, 0, 10, 10] },
    ]);
    const dts = [det(2, [50, 50, 10, 10], 0.95), det(1, [0, 0, 10, 10], 0.9)];
    expectClose([evaluateBbox(gt, dts).stats[0]], [(51 * 0.5 + 50 * 0) / 101]);
    expectClose([evaluateBbox(gt, dts, { imageIds: [1] }).stats[0]], [1]);
  });

  it('evaluates a subset of categories', () => {
    const gt = groundTruth([1], [
      { image_id: 1, bbox: [0, 0, 10, 10], category_id: 1 },
      { image_id: 1, bbox: [50, 50, 10, 10], category_id: 2 },
    ], CATEGORIES);
    const r = evaluateBbox(gt, [det(1, [0, 0, 10, 10], 0.9, 1)], { categoryIds: [1] });
    expect(r.perClass.map((c) => c.categoryId)).toEqual([1]);
    expectClose([r.stats[0]], [1]);
  });

  it('takes custom IoU thresholds; AP75 is −1 when 0.75 is not one of them', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const r = evaluateBbox(gt, [det(1, [0, 0, 10, 7.2], 0.9)], { iouThresholds: [0.5, 0.8] });
    expectClose(r.stats.slice(0, 3), [0.5, 1, -1]);
    expect(summaryLines(r.stats, r.params)[0]).toContain('IoU=0.50:0.80');
  });

  it('takes custom maxDets and prints them in the summary', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const r = evaluateBbox(gt, [det(1, [0, 0, 10, 10], 0.9)], { maxDets: [300, 1, 20] });
    expect(r.params.maxDets).toEqual([1, 20, 300]);
    expect(summaryLines(r.stats, r.params)[6]).toContain('maxDets=  1');
    expect(summaryLines(r.stats, r.params)[8]).toContain('maxDets=300');
  });
});
