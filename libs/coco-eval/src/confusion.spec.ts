import fc from 'fast-check';
import { det, groundTruth } from './__fixtures__/cases';
import { cocoBoxIou, confusionMatrix, formatConfusionMatrix, normalizeConfusionColumns, type CocoResult } from './index';

/** Listed out of order on purpose: the matrix orders classes by ascending id. */
const CATEGORIES = [
  { id: 7, name: 'dog' },
  { id: 3, name: 'cat' },
];
const CAT = 3;
const DOG = 7;
const BOX: number[] = [0, 0, 10, 10];

/** Matrix of one image's ground truth and detections (rows predicted: cat, dog, background; columns true). */
function matrixOf(annotations: { category_id: number; bbox: number[]; iscrowd?: number }[], dets: CocoResult[], opts = {}): number[][] {
  return confusionMatrix(groundTruth([1], annotations.map((a) => ({ image_id: 1, ...a })), CATEGORIES), dets, opts).matrix;
}

describe('confusionMatrix on hand-built cases (rows predicted cat, dog, bg; columns true cat, dog, bg)', () => {
  it('lists classes by ascending id with background last, and reports its thresholds (defaults 0.5 / 0.25)', () => {
    const result = confusionMatrix(groundTruth([1], [], CATEGORIES), []);
    expect(result.classes).toEqual([
      { id: CAT, name: 'cat' },
      { id: DOG, name: 'dog' },
    ]);
    expect(result.matrix).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect([result.iouThreshold, result.scoreThreshold, result.ignoredDetections]).toEqual([0.5, 0.25, 0]);
  });

  it('counts a matched pair in [predicted][true]', () => {
    expect(matrixOf([{ category_id: CAT, bbox: BOX }], [det(1, BOX, 0.9, CAT)])).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('counts a class confusion (a dog detection on a cat) in [dog][cat]', () => {
    expect(matrixOf([{ category_id: CAT, bbox: BOX }], [det(1, BOX, 0.9, DOG)])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('counts a missed box in [background][true] and a false positive in [predicted][background]', () => {
    expect(matrixOf([{ category_id: DOG, bbox: BOX }], [det(1, [50, 50, 10, 10], 0.9, CAT)])).toEqual([
      [0, 0, 1],
      [0, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('never counts a crowd region as missed, and ignores a detection that lies on one', () => {
    const crowd = { category_id: CAT, bbox: [0, 0, 40, 40], iscrowd: 1 };
    // Crowd IoU of the small box = its own area inside the crowd / its own area = 1.
    const result = confusionMatrix(groundTruth([1], [{ image_id: 1, ...crowd }], CATEGORIES), [det(1, [5, 5, 10, 10], 0.9, DOG), det(1, [100, 100, 10, 10], 0.9, DOG)]);
    expect(result.matrix).toEqual([
      [0, 0, 0],
      [0, 0, 1], // the detection far from the crowd is still a false positive
      [0, 0, 0],
    ]);
    expect(result.ignoredDetections).toBe(1);
  });

  it('prefers a regular box to a crowd region: the detection matches the box, the crowd stays uncounted', () => {
    expect(matrixOf([{ category_id: CAT, bbox: BOX, iscrowd: 1 }, { category_id: CAT, bbox: BOX }], [det(1, BOX, 0.9, CAT)])).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('drops detections below the score threshold before matching (≥ keeps)', () => {
    const gt = [{ category_id: CAT, bbox: BOX }];
    expect(matrixOf(gt, [det(1, BOX, 0.2, CAT)])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(matrixOf(gt, [det(1, BOX, 0.2, CAT)], { scoreThreshold: 0.2 })).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('gives a ground-truth box to one detection only, the higher IoU first (not the higher score)', () => {
    // IoU 1 for the dog detection (score 0.5), 80/100 = 0.8 for the cat detection (score 0.9).
    expect(matrixOf([{ category_id: CAT, bbox: BOX }], [det(1, [0, 0, 10, 8], 0.9, CAT), det(1, BOX, 0.5, DOG)])).toEqual([
      [0, 0, 1], // the cat detection is left over: a false positive
      [1, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('breaks an IoU tie by score, and needs IoU ≥ iouThreshold', () => {
    // Both at IoU 1: the higher-scoring dog detection wins.
    expect(matrixOf([{ category_id: CAT, bbox: BOX }], [det(1, BOX, 0.4, CAT), det(1, BOX, 0.6, DOG)])[1][0]).toBe(1);
    // [0, 0, 10, 5] has IoU exactly 0.5 with BOX: matched at 0.5, missed at 0.6.
    const half = [det(1, [0, 0, 10, 5], 0.9, CAT)];
    expect(matrixOf([{ category_id: CAT, bbox: BOX }], half)[0][0]).toBe(1);
    expect(matrixOf([{ category_id: CAT, bbox: BOX }], half, { iouThreshold: 0.6 })).toEqual([
      [0, 0, 1],
      [0, 0, 0],
      [1, 0, 0],
    ]);
  });

  it('matches within an image only, and sums every case over images', () => {
    const gt = groundTruth(
      [1, 2, 3],
      [
        { image_id: 1, category_id: CAT, bbox: BOX }, // matched cat
        { image_id: 1, category_id: DOG, bbox: [20, 20, 10, 10] }, // detected as cat
        { image_id: 2, category_id: DOG, bbox: BOX }, // missed (its detection is on image 3)
        { image_id: 3, category_id: DOG, bbox: [0, 0, 50, 50], iscrowd: 1 },
      ],
      CATEGORIES,
    );
    const dets = [det(1, BOX, 0.9, CAT), det(1, [20, 20, 10, 10], 0.8, CAT), det(3, BOX, 0.7, DOG), det(3, [60, 60, 5, 5], 0.9, DOG)];
    const result = confusionMatrix(gt, dets);
    expect(result.matrix).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(result.ignoredDetections).toBe(1);
    // Only image 1.
    expect(confusionMatrix(gt, dets, { imageIds: [1] }).matrix).toEqual([
      [1, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('rejects a bad threshold, naming the option', () => {
    const gt = groundTruth([1], [], CATEGORIES);
    expect(() => confusionMatrix(gt, [], { iouThreshold: 0 })).toThrow(/^options: iouThreshold: must be a number in \(0, 1\] \(got 0\)$/);
    expect(() => confusionMatrix(gt, [], { scoreThreshold: Number.NaN })).toThrow(/^options: scoreThreshold: must be a finite number \(got NaN\)$/);
    expect(() => confusionMatrix(gt, [det(1, BOX, 0.9, 5)])).toThrow(/result 0: category_id 5 is not a category of the ground truth/);
  });
});

describe('formatConfusionMatrix', () => {
  const result = confusionMatrix(
    groundTruth([1], [{ image_id: 1, category_id: CAT, bbox: BOX }, { image_id: 1, category_id: CAT, bbox: [20, 0, 10, 10] }, { image_id: 1, category_id: DOG, bbox: [40, 0, 10, 10] }], CATEGORIES),
    [det(1, BOX, 0.9, CAT), det(1, [20, 0, 10, 10], 0.9, DOG), det(1, [80, 80, 10, 10], 0.9, DOG)],
  );

  it('prints the thresholds, then true classes across and predicted classes down', () => {
    expect(formatConfusionMatrix(result).split('\n')).toEqual([
      'confusion matrix at IoU 0.5, score ≥ 0.25 (rows: predicted, columns: true)',
      'predicted \\ true  cat  dog  background',
      'cat                 1    0           0',
      'dog                 1    0           1',
      'background          0    1           -',
    ]);
  });

  it('normalises each column by its sum', () => {
    expect(normalizeConfusionColumns(result.matrix)).toEqual([
      [0.5, 0, 0],
      [0.5, 0, 1],
      [0, 1, 0],
    ]);
    expect(formatConfusionMatrix(result, { normalize: true }).split('\n').slice(0, 3)).toEqual([
      'confusion matrix at IoU 0.5, score ≥ 0.25, normalised by column (rows: predicted, columns: true)',
      'predicted \\ true   cat   dog  background',
      'cat               0.50  0.00        0.00',
    ]);
  });
});

describe('confusionMatrix invariants on random data', () => {
  const box = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }));
  const category = fc.constantFrom(CAT, DOG);
  const annotation = fc.record({ image_id: fc.integer({ min: 1, max: 3 }), category_id: category, bbox: box, iscrowd: fc.constantFrom(0, 0, 0, 1) });
  const detection = fc.record({ image_id: fc.integer({ min: 1, max: 3 }), category_id: category, bbox: box, score: fc.double({ min: 0, max: 1, noNaN: true }) });
  const sum = (values: number[]): number => values.reduce((s, v) => s + v, 0);

  it('columns count the non-crowd ground truth, rows the kept detections; an image with a candidate pair matches one', () => {
    fc.assert(
      fc.property(fc.array(annotation, { maxLength: 10 }), fc.array(detection, { maxLength: 14 }), fc.constantFrom(0.3, 0.5, 0.75), (anns, dets, iouThreshold) => {
        const gt = groundTruth([1, 2, 3], anns, CATEGORIES);
        const { matrix, ignoredDetections } = confusionMatrix(gt, dets, { iouThreshold });
        const kept = dets.filter((d) => d.score >= 0.25);
        const truths = anns.filter((a) => a.iscrowd === 0);
        const column = (t: number): number => sum(matrix.map((row) => row[t]));
        expect(column(0)).toBe(truths.filter((a) => a.category_id === CAT).length);
        expect(column(1)).toBe(truths.filter((a) => a.category_id === DOG).length);
        const matched = matrix[0][0] + matrix[0][1] + matrix[1][0] + matrix[1][1];
        expect(matched).toBeLessThanOrEqual(Math.min(truths.length, kept.length));
        // Background column: the unmatched detections (those on crowd regions are ignored).
        expect(column(2)).toBe(kept.length - matched - ignoredDetections);
        expect(matrix[0][0] + matrix[0][1] + matrix[0][2] + ignoredDetections + matrix[1][0] + matrix[1][1] + matrix[1][2]).toBe(kept.length);
        if (anns.every((a) => a.iscrowd === 0)) expect(ignoredDetections).toBe(0);
        expect(matrix[2][2]).toBe(0);
        // Per image: something is matched exactly when some (detection, box) pair reaches the threshold.
        for (const image of [1, 2, 3]) {
          const g = truths.filter((a) => a.image_id === image);
          const d = kept.filter((x) => x.image_id === image);
          const iou = cocoBoxIou(Float64Array.from(d.flatMap((x) => x.bbox)), Float64Array.from(g.flatMap((a) => a.bbox)), new Uint8Array(g.length));
          const anyPair = iou.some((v) => v >= iouThreshold);
          const perImage = confusionMatrix(gt, dets, { iouThreshold, imageIds: [image] }).matrix;
          expect(perImage[0][0] + perImage[0][1] + perImage[1][0] + perImage[1][1] > 0).toBe(anyPair);
        }
      }),
      { numRuns: 300 },
    );
  });
});
