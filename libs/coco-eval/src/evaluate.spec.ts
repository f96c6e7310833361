import { det, groundTruth } from './__fixtures__/cases';
import { FOUR_DETECTIONS, TWO_IMAGES, TWO_IMAGES_OPTIONS } from './__fixtures__/two-images';
import { DetectionState, evaluateImages, prepareInputs, type ImageEvaluation } from './index';

const IG = DetectionState.Ignored;
const TP = DetectionState.TruePositive;
const FP = DetectionState.FalsePositive;
const AREAS = ['all', 'small', 'medium', 'large'] as const;

/** The states of area range `a` at IoU-threshold index `t`, one per pooled position. */
function statesAt(ev: ImageEvaluation, a: number, t: number): number[] {
  const n = ev.scores.length;
  const from = (a * ev.params.iouThresholds.length + t) * n;
  return [...ev.states.subarray(from, from + n)];
}

describe('evaluateImages on two images (see __fixtures__/two-images.ts for the boxes and IoUs)', () => {
  const ev = evaluateImages(prepareInputs(TWO_IMAGES, FOUR_DETECTIONS, TWO_IMAGES_OPTIONS));

  it('pools the detections by score: rows d0, d3, d2, d1, each ranked within its own image', () => {
    expect(ev.numCategories).toBe(1);
    expect([...ev.categoryStart]).toEqual([0, 4]);
    expect([...ev.order]).toEqual([0, 3, 2, 1]);
    expect([...ev.scores]).toEqual([0.9, 0.8, 0.7, 0.6]);
    // Image 1 by score: d0 (0.9), d2 (0.7), d1 (0.6) → ranks 0, 1, 2; d3 is alone on image 2 → rank 0.
    expect([...ev.rank]).toEqual([0, 0, 1, 2]);
    expect([...ev.numDt]).toEqual([4]);
  });

  it('counts the non-ignored ground truth per area range: all 3, small 2 (A, B), medium 1 (C), large 0', () => {
    expect([...ev.numGt]).toEqual([3, 2, 1, 0]);
  });

  /**
   * Positions d0, d3, d2, d1. Greedy matching in score order within each image:
   * - all, IoU .50: d0 takes A (.8); d2 finds A taken and B at 0 → FP; d1 takes B (.6); d3 takes C
   *   (IoU .5 ≥ .5: a threshold is reached with equality).
   * - all, IoU .75: d0 takes A; d3 (.5), d2 and d1 (.6) match nothing → FP.
   * - small (≤ 1024): C (1600) is ignored, so d3's match at .50 is ignored; at .75 d3 matches nothing
   *   and its own area, 800, is small → FP. Image 1 as for `all`.
   * - medium: A and B (100) are ignored; d0 and d1 match them at .50 → ignored; d2 matches nothing
   *   and is 100 px², out of range → ignored; d3 takes C → TP. At .75 d3 and d1 match nothing and are
   *   out of range (800, 60), d0 matches the ignored A → every detection is ignored.
   * - large: every box is ignored and every detection (≤ 800 px²) is out of range → all ignored.
   */
  const EXPECTED_STATES: Record<(typeof AREAS)[number], [number[], number[]]> = {
    all: [
      [TP, TP, FP, TP],
      [TP, FP, FP, FP],
    ],
    small: [
      [TP, IG, FP, TP],
      [TP, FP, FP, FP],
    ],
    medium: [
      [IG, TP, IG, IG],
      [IG, IG, IG, IG],
    ],
    large: [
      [IG, IG, IG, IG],
      [IG, IG, IG, IG],
    ],
  };

  it.each(AREAS.map((label, a) => [label, a] as const))('gives the hand-matched states for area range %s at IoU .50 and .75 ([A, T, N] layout)', (label, a) => {
    expect(ev.states).toHaveLength(AREAS.length * 2 * 4);
    expect(ev.params.areaRanges[a].label).toBe(label);
    expect([statesAt(ev, a, 0), statesAt(ev, a, 1)]).toEqual(EXPECTED_STATES[label]);
  });
});

describe('evaluateImages with a crowd region', () => {
  /**
   * R [0, 0, 10, 10] (area 100) and the crowd W [50, 50, 40, 40]. For a crowd the union is the
   * detection's own area: e0 [55, 55, 20, 20] and e1 [60, 60, 10, 10] lie inside W → IoU 1;
   * e2 [0, 0, 10, 10] is R → IoU 1.
   */
  const gt = groundTruth([1], [
    { image_id: 1, bbox: [0, 0, 10, 10] },
    { image_id: 1, bbox: [50, 50, 40, 40], iscrowd: 1 },
  ]);
  const ev = evaluateImages(prepareInputs(gt, [det(1, [55, 55, 20, 20], 0.9), det(1, [60, 60, 10, 10], 0.8), det(1, [0, 0, 10, 10], 0.7)], { iouThresholds: [0.5] }));

  it('leaves the crowd out of the ground-truth count (R is small, so medium and large have none)', () => {
    expect([...ev.numGt]).toEqual([1, 1, 0, 0]);
  });

  it('ignores every detection the crowd absorbs, and still matches R', () => {
    // all and small: e0, e1 → W (ignored, and a crowd stays matchable), e2 → R. Medium and large: R is
    // out of range, so e2's match is ignored too.
    expect(AREAS.map((_, a) => statesAt(ev, a, 0))).toEqual([
      [IG, IG, TP],
      [IG, IG, TP],
      [IG, IG, IG],
      [IG, IG, IG],
    ]);
  });
});
