import { det, expectClose, groundTruth, stepAp } from './__fixtures__/cases';
import { FOUR_DETECTIONS, TWO_IMAGES, TWO_IMAGES_OPTIONS } from './__fixtures__/two-images';
import {
  accumulate,
  AREA_RANGES,
  DEFAULT_IOU_THRESHOLDS,
  DetectionState,
  evaluateBbox,
  evaluateImages,
  precisionIndex,
  prepareInputs,
  recallIndex,
  RECALL_THRESHOLDS,
  type Accumulation,
  type ImageEvaluation,
} from './index';

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

/** Precision at the 101 recall thresholds of IoU index `t`, area `a`, maxDets index `m` (category `k`). */
function curve(acc: Accumulation, t: number, a: number, m: number, k = 0): number[] {
  return RECALL_THRESHOLDS.map((_, r) => acc.precision[precisionIndex(acc.shape, t, r, k, a, m)]);
}

/** 101 values: `high` at thresholds 0 … `lastIndex` (r = index / 100), `low` after. */
const steps = (lastIndex: number, high: number, low: number): number[] => RECALL_THRESHOLDS.map((_, r) => (r <= lastIndex ? high : low));
/** 101 times `value`. */
const constant = (value: number): number[] => RECALL_THRESHOLDS.map(() => value);

describe('accumulate, called on the evaluation of two images (states worked out in evaluate.spec.ts)', () => {
  const acc = accumulate(evaluateImages(prepareInputs(TWO_IMAGES, FOUR_DETECTIONS, TWO_IMAGES_OPTIONS)));
  const [ALL, SMALL, MEDIUM, LARGE] = [0, 1, 2, 3];
  const [IOU50, IOU75] = [0, 1];
  const [DETS1, DETS100] = [0, 1];
  const recallAt = (t: number, a: number, m: number): number => acc.recall[recallIndex(acc.shape, t, 0, a, m)];

  it('has shape T 2 × R 101 × K 1 × A 4 × M 2', () => {
    expect(acc.shape).toEqual({ T: 2, R: 101, K: 1, A: 4, M: 2 });
  });

  it('all areas, IoU .50: TP, TP, FP, TP over 3 boxes', () => {
    // Down the ranks: recall 1/3, 2/3, 2/3, 1; precision 1/1, 2/2, 2/3, 3/4. At the true positives
    // (1/3, 1), (2/3, 1), (1, 3/4); the envelope changes nothing. The first TP with recall ≥ r: r ≤ .66
    // → 1 (thresholds 0 … 66), r ≥ .67 → 3/4 (67 … 100). AP50 = (67 · 1 + 34 · 0.75) / 101.
    expectClose(curve(acc, IOU50, ALL, DETS100), steps(66, 1, 0.75));
    expectClose([recallAt(IOU50, ALL, DETS100)], [1]);
  });

  it('all areas, IoU .75: TP, FP, FP, FP → precision 1 up to recall 1/3, 0 beyond', () => {
    // One TP at (1/3, 1): thresholds 0 … 33 → 1; nothing reaches r ≥ .34 → 0. Recall 1/3.
    expectClose(curve(acc, IOU75, ALL, DETS100), steps(33, 1, 0));
    expectClose([recallAt(IOU75, ALL, DETS100)], [1 / 3]);
  });

  it('maxDets 1 keeps only the detections ranked first in their image (d0, d3)', () => {
    // IoU .50: TP, TP → (1/3, 1), (2/3, 1): 1 at 0 … 66, 0 after; recall 2/3.
    expectClose(curve(acc, IOU50, ALL, DETS1), steps(66, 1, 0));
    expectClose([recallAt(IOU50, ALL, DETS1)], [2 / 3]);
    // IoU .75: TP, FP → recall 1/3.
    expectClose([recallAt(IOU75, ALL, DETS1)], [1 / 3]);
  });

  it('small: an ignored detection is neither a true nor a false positive', () => {
    // TP, ignored, FP, TP over 2 boxes: (1/2, 1/1), (1, 2/3) → 1 at 0 … 50, 2/3 at 51 … 100.
    // (Counted as a false positive, d3 would make the second point 2/4.)
    expectClose(curve(acc, IOU50, SMALL, DETS100), steps(50, 1, 2 / 3));
    expectClose([recallAt(IOU50, SMALL, DETS100)], [1]);
  });

  it('medium: ignored detections ranked above the only true positive leave its precision at 1', () => {
    // IoU .50: ignored, TP, ignored, ignored over 1 box → (1, 1/1): 1 at every threshold.
    expectClose(curve(acc, IOU50, MEDIUM, DETS100), constant(1));
    expectClose([recallAt(IOU50, MEDIUM, DETS100)], [1]);
    // IoU .75: all ignored → recall 0 and precision 0 (no point reaches any threshold).
    expectClose(curve(acc, IOU75, MEDIUM, DETS100), constant(0));
    expectClose([recallAt(IOU75, MEDIUM, DETS100)], [0]);
  });

  it('large: no ground truth in range → −1 everywhere', () => {
    for (const t of [IOU50, IOU75]) {
      for (const m of [DETS1, DETS100]) {
        expect(curve(acc, t, LARGE, m)).toEqual(constant(-1));
        expect(recallAt(t, LARGE, m)).toBe(-1);
      }
    }
  });
});

describe('accumulate, called on a hand-written evaluation', () => {
  const { TruePositive: TP, FalsePositive: FP } = DetectionState;
  /**
   * Two categories, area `all` only, IoU .5 only, maxDets [1, 100]. Category 0 (positions 0–2):
   * FP 0.9 (rank 0), TP 0.8 (rank 0, another image), TP 0.7 (rank 1); 4 boxes. Category 1 (positions
   * 3–4): detections but no ground truth.
   */
  const ev: ImageEvaluation = {
    params: {
      imageIds: [1, 2],
      categoryIds: [1, 2],
      categoryNames: ['a', 'b'],
      classAgnostic: false,
      iouThresholds: [0.5],
      recallThresholds: RECALL_THRESHOLDS,
      areaRanges: [AREA_RANGES[0]],
      maxDets: [1, 100],
      scoreThreshold: 0.5,
    },
    numCategories: 2,
    order: Uint32Array.from([0, 1, 2, 3, 4]),
    categoryStart: Uint32Array.from([0, 3, 5]),
    rank: Uint32Array.from([0, 0, 1, 0, 0]),
    scores: Float64Array.from([0.9, 0.8, 0.7, 0.9, 0.8]),
    states: Uint8Array.from([FP, TP, TP, TP, FP]),
    numGt: Uint32Array.from([4, 0]),
    numDt: Uint32Array.from([3, 2]),
  };
  const acc = accumulate(ev);

  it('pools by position and takes the precision envelope (FP, TP, TP over 4 boxes)', () => {
    // maxDets 100: (1/4, 1/2), (2/4, 2/3) → envelope 2/3 at both: 2/3 at 0 … 50, 0 after; recall 1/2.
    expect(acc.shape).toEqual({ T: 1, R: 101, K: 2, A: 1, M: 2 });
    expectClose(curve(acc, 0, 0, 1), steps(50, 2 / 3, 0));
    expect(acc.recall[recallIndex(acc.shape, 0, 0, 0, 1)]).toBe(0.5);
  });

  it('drops the positions ranked at or past a maxDets value', () => {
    // maxDets 1 keeps ranks 0: FP, TP → (1/4, 1/2): 1/2 at 0 … 25, 0 after; recall 1/4.
    expectClose(curve(acc, 0, 0, 0), steps(25, 1 / 2, 0));
    expect(acc.recall[recallIndex(acc.shape, 0, 0, 0, 0)]).toBe(0.25);
  });

  it('gives −1 to a category without ground truth, whatever its detections', () => {
    for (const m of [0, 1]) {
      expect(curve(acc, 0, 0, m, 1)).toEqual(constant(-1));
      expect(acc.recall[recallIndex(acc.shape, 0, 1, 0, m)]).toBe(-1);
    }
  });
});
