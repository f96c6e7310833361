import { det, expectClose, groundTruth } from './__fixtures__/cases';
import { evaluateBbox } from './index';

describe('per-class operating points (precision / recall / F1 at a score threshold)', () => {
  const gt = groundTruth([1], [
    { image_id: 1, bbox: [0, 0, 10, 10] },
    { image_id: 1, bbox: [50, 50, 10, 10] },
  ]);
  // ranked: TP .9, FP .8, TP .3, FP .2
  const dts = [det(1, [0, 0, 10, 10], 0.9), det(1, [100, 0, 10, 10], 0.8), det(1, [50, 50, 10, 10], 0.3), det(1, [100, 100, 10, 10], 0.2)];

  it('counts detections scoring at least the threshold', () => {
    const [p] = evaluateBbox(gt, dts, { scoreThreshold: 0.5 }).operatingPoints;
    expect(p).toMatchObject({ iouThreshold: 0.5, scoreThreshold: 0.5, tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    const [atTp] = evaluateBbox(gt, dts, { scoreThreshold: 0.3 }).operatingPoints;
    expect(atTp).toMatchObject({ tp: 2, fp: 1, fn: 0 });
  });

  it('finds the score threshold with the best F1', () => {
    // F1 by cut-off: .9 → 2/3, .8 → 1/2, .3 → 4/5, .2 → 2/3
    const [p] = evaluateBbox(gt, dts).operatingPoints;
    expect(p.bestF1?.scoreThreshold).toBe(0.3);
    expectClose([p.bestF1?.f1 ?? NaN, p.bestF1?.precision ?? NaN, p.bestF1?.recall ?? NaN], [0.8, 2 / 3, 1]);
  });

  it('only cuts between different scores', () => {
    const tied = [det(1, [0, 0, 10, 10], 0.9), det(1, [100, 0, 10, 10], 0.9), det(1, [50, 50, 10, 10], 0.9)];
    const [p] = evaluateBbox(gt, tied).operatingPoints;
    expect(p.bestF1).toMatchObject({ scoreThreshold: 0.9, precision: 2 / 3, recall: 1 });
  });

  it('reports −1 and no best threshold for a category without ground truth', () => {
    const noGt = groundTruth([1], [], [{ id: 1, name: 'x' }]);
    const [p] = evaluateBbox(noGt, [det(1, [0, 0, 10, 10], 0.9)]).operatingPoints;
    expect(p).toMatchObject({ precision: -1, recall: -1, f1: -1, fp: 1, bestF1: null });
  });
});
