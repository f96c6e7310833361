import { det, expectClose, groundTruth, stepAp } from './__fixtures__/cases';
import { DEFAULT_IOU_THRESHOLDS, evaluateBbox, precisionIndex, recallIndex, RECALL_THRESHOLDS } from './index';

const TWO_BOXES = groundTruth([1], [
  { image_id: 1, bbox: [0, 0, 10, 10] },
  { image_id: 1, bbox: [50, 50, 10, 10] },
]);
const hitA = (score: number) => det(1, [0, 0, 10, 10], score);
const hitB = (score: number) => det(1, [50, 50, 10, 10], score);
const miss = (score: number) => det(1, [200, 200, 10, 10], score);

describe('accumulate: interpolated precision at 101 recall thresholds', () => {
  it('has thresholds .50:.05:.95 and 0:.01:1 as numpy.linspace builds them', () => {
    expect(DEFAULT_IOU_THRESHOLDS).toHaveLength(10);
    expect(DEFAULT_IOU_THRESHOLDS).toContain(0.5);
    expect(DEFAULT_IOU_THRESHOLDS).toContain(0.75);
    expect(RECALL_THRESHOLDS).toHaveLength(101);
    expect(RECALL_THRESHOLDS[50]).toBe(0.5);
  });

  it('samples precision at the first rank reaching each recall (TP, FP, TP)', () => {
    // recall .5, .5, 1; precision 1, 1/2, 2/3: r <= .5 → 1, r > .5 → 2/3
    const { stats } = evaluateBbox(TWO_BOXES, [hitA(0.9), miss(0.8), hitB(0.7)]);
    expectClose([stats[1]], [stepAp(0.5, 1, 2 / 3)]);
  });

  it('takes the precision envelope (best precision at any higher recall) (FP, TP, TP)', () => {
    // precision 0, 1/2, 2/3 → envelope 2/3 everywhere, including recall 0
    const { stats } = evaluateBbox(TWO_BOXES, [miss(0.9), hitA(0.8), hitB(0.7)]);
    expectClose([stats[1]], [2 / 3]);
  });

  it('gives precision 0 beyond the largest recall reached', () => {
    const { stats } = evaluateBbox(TWO_BOXES, [hitA(0.9)]);
    expectClose([stats[1]], [stepAp(0.5, 1, 0)]);
  });

  it('lays precision out as [T, R, K, A, M] and recall as [T, K, A, M]', () => {
    const r = evaluateBbox(TWO_BOXES, [hitA(0.9), miss(0.8), hitB(0.7)]);
    const { T, R, K, A, M } = r.shape;
    expect([T, R, K, A, M]).toEqual([10, 101, 1, 4, 3]);
    expect(r.precision).toHaveLength(T * R * K * A * M);
    expectClose([r.precision[precisionIndex(r.shape, 0, 50, 0, 0, 2)], r.precision[precisionIndex(r.shape, 0, 51, 0, 0, 2)]], [1, 2 / 3]);
    // maxDets 1 keeps only the top detection: recall 1/2
    expect(r.recall[recallIndex(r.shape, 0, 0, 0, 0)]).toBe(0.5);
    expect(r.recall[recallIndex(r.shape, 0, 0, 0, 2)]).toBe(1);
    // no medium / large ground truth: −1
    expect(r.recall[recallIndex(r.shape, 0, 0, 2, 2)]).toBe(-1);
  });

  it('returns per-class PR curves at IoU 0.5', () => {
    const [curve] = evaluateBbox(TWO_BOXES, [hitA(0.9), miss(0.8), hitB(0.7)]).prCurves;
    expect(curve.iouThreshold).toBe(0.5);
    expect(curve.recall).toEqual(RECALL_THRESHOLDS);
    expectClose(curve.precision, RECALL_THRESHOLDS.map((r) => (r <= 0.5 ? 1 : 2 / 3)));
  });
});

describe('categories without ground truth', () => {
  const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }], [
    { id: 1, name: 'cat' },
    { id: 2, name: 'dog' },
  ]);

  it('give −1 per class and are left out of the means, even with detections', () => {
    const r = evaluateBbox(gt, [det(1, [0, 0, 10, 10], 0.9, 1), det(1, [0, 0, 10, 10], 0.95, 2)]);
    expect(r.perClass[1]).toMatchObject({ categoryId: 2, name: 'dog', ap: -1, ap50: -1, ap75: -1, ar100: -1, numGt: 0, numDt: 1 });
    expectClose([r.stats[0], r.stats[8]], [1, 1]);
    expect(r.prCurves[1].precision.every((p) => p === -1)).toBe(true);
  });

  it('give zeros, not −1, for a category with ground truth but no detections', () => {
    const r = evaluateBbox(gt, []);
    expect(r.stats).toEqual([0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
    expect(r.perClass[0]).toMatchObject({ ap: 0, ar100: 0, numGt: 1, numDt: 0 });
  });
});
