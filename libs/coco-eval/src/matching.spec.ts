import { det, expectClose, groundTruth, stepAp } from './__fixtures__/cases';
import { evaluateBbox } from './index';

const AP = 0;
const AP50 = 1;
const AP75 = 2;
const APS = 3;
const APM = 4;
const APL = 5;
const AR1 = 6;
const AR10 = 7;
const AR100 = 8;
const FAR = [200, 200, 10, 10];

describe('per-image matching (evaluate)', () => {
  it('scores a perfect small detection 1, and −1 for area ranges without ground truth', () => {
    const { stats } = evaluateBbox(groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]), [det(1, [0, 0, 10, 10], 0.9)]);
    expectClose(stats, [1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1]);
  });

  it('ignores detections matched to a crowd region, however many, instead of counting false positives', () => {
    const gt = groundTruth([1], [
      { image_id: 1, bbox: [0, 0, 10, 10] },
      { image_id: 1, bbox: [50, 50, 40, 40], iscrowd: 1 },
    ]);
    // Both crowd detections outrank the true positive; were either a false positive, AP would be <= 0.5.
    const dts = [det(1, [55, 55, 20, 20], 0.99), det(1, [50, 50, 40, 40], 0.95), det(1, [0, 0, 10, 10], 0.9)];
    const result = evaluateBbox(gt, dts);
    expectClose([result.stats[AP]], [1]);
    expect(result.perClass[0].numGt).toBe(1);
    expect(result.operatingPoints[0]).toMatchObject({ tp: 1, fp: 0 });
  });

  it('matches a regular box before a crowd region, and lets the crowd absorb the duplicate', () => {
    const gt = groundTruth([1], [
      { image_id: 1, bbox: [0, 0, 10, 10], iscrowd: 1 },
      { image_id: 1, bbox: [0, 0, 10, 10] },
    ]);
    const result = evaluateBbox(gt, [det(1, [0, 0, 10, 10], 0.9), det(1, [0, 0, 10, 10], 0.8)]);
    expect(result.operatingPoints[0]).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it('counts a second detection of an already matched box as a false positive', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const result = evaluateBbox(gt, [det(1, [0, 0, 10, 10], 0.9), det(1, [0, 0, 10, 10], 0.8)]);
    expect(result.operatingPoints[0]).toMatchObject({ tp: 1, fp: 1, precision: 0.5 });
    expectClose([result.stats[AP]], [1]); // precision is sampled at the first rank reaching each recall
  });

  it('counts detections on an image without ground truth as false positives', () => {
    const gt = groundTruth([1, 2], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const { stats } = evaluateBbox(gt, [det(2, [0, 0, 10, 10], 0.9), det(1, [0, 0, 10, 10], 0.8)]);
    // ranked: FP, TP → precision envelope 0.5 at every recall threshold
    expect(stats[AP]).toBeCloseTo(0.5, 12);
    expect(stats[AR100]).toBe(1);
  });

  it('takes area ranges from the annotation area field, not w × h', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 100, 100], area: 500 }]);
    const { stats } = evaluateBbox(gt, [det(1, [0, 0, 100, 100], 0.9)]);
    expectClose([stats[APS], stats[APM], stats[APL]], [1, -1, -1]);
  });

  it('ignores an unmatched detection outside the area range (its area is w × h)', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const { stats } = evaluateBbox(gt, [det(1, [300, 300, 100, 100], 0.9), det(1, [0, 0, 10, 10], 0.8)]);
    expectClose([stats[APS]], [1]); // the large false positive is out of the small range
    expect(stats[AP]).toBeCloseTo(0.5, 12);
  });

  it('replaces an annotation ignore flag by iscrowd, as the reference does for bbox', () => {
    const gt = groundTruth([1], [
      { image_id: 1, bbox: [0, 0, 10, 10], ignore: 1 },
      { image_id: 1, bbox: [50, 50, 10, 10] },
    ]);
    const { stats } = evaluateBbox(gt, [det(1, [50, 50, 10, 10], 0.9)]);
    expect(stats[AR100]).toBe(0.5); // the "ignored" box still counts as missed
    expect(stats[AP]).toBeCloseTo(stepAp(0.5, 1, 0), 12);
  });

  it('needs IoU >= each threshold: a 0.72-IoU detection is a true positive at .50–.70 only', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const { stats } = evaluateBbox(gt, [det(1, [0, 0, 10, 7.2], 0.9)]);
    expectClose([stats[AP], stats[AP50], stats[AP75]], [0.5, 1, 0]);
  });
});

describe('per-image maxDets cut', () => {
  it('keeps the top 1 / 10 detections of each image for AR1 / AR10', () => {
    const gt = groundTruth([1], [0, 20, 40].map((x) => ({ image_id: 1, bbox: [x, 0, 10, 10] })));
    const { stats } = evaluateBbox(gt, [det(1, [0, 0, 10, 10], 0.9), det(1, [20, 0, 10, 10], 0.8), det(1, [40, 0, 10, 10], 0.7)]);
    expectClose([stats[AR1], stats[AR10], stats[AR100]], [1 / 3, 1, 1]);
  });

  it('drops detections ranked below 100 in their image', () => {
    const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const dts = [...Array.from({ length: 100 }, () => det(1, FAR, 0.9)), det(1, [0, 0, 10, 10], 0.1)];
    expect(evaluateBbox(gt, dts).stats[AR100]).toBe(0);
    expect(evaluateBbox(gt, dts, { maxDets: [1, 10, 101] }).stats[AR100]).toBe(1);
  });

  it('cuts per image, not over the whole set', () => {
    const gt = groundTruth([1, 2], [{ image_id: 2, bbox: [0, 0, 10, 10] }]);
    const dts = [...Array.from({ length: 100 }, () => det(1, FAR, 0.9)), det(2, [0, 0, 10, 10], 0.1)];
    const { stats } = evaluateBbox(gt, dts);
    expect(stats[AR100]).toBe(1);
    expect(stats[AP50]).toBeCloseTo(1 / 101, 12); // 100 false positives rank above the hit
  });
});

describe('score ranking and ties', () => {
  const gt = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
  const miss = det(1, FAR, 0.9);
  const hit = det(1, [0, 0, 10, 10], 0.9);

  it('keeps the input order of tied scores within an image (stable sort)', () => {
    expect(evaluateBbox(gt, [miss, hit]).stats[AP]).toBeCloseTo(0.5, 12);
    expectClose([evaluateBbox(gt, [hit, miss]).stats[AP]], [1]);
  });

  it('orders tied scores of different images by image id, whatever the input order', () => {
    const twoImages = groundTruth([1, 2], [{ image_id: 2, bbox: [0, 0, 10, 10] }]);
    const onImage2 = det(2, [0, 0, 10, 10], 0.9);
    expect(evaluateBbox(twoImages, [onImage2, miss]).stats[AP]).toBeCloseTo(0.5, 12);
    const swapped = groundTruth([1, 2], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    expectClose([evaluateBbox(swapped, [det(2, FAR, 0.9), hit]).stats[AP]], [1]);
  });
});
