import fc from 'fast-check';
import {
  AnchorArgumentError,
  BELOW_LOW_THRESHOLD,
  BETWEEN_THRESHOLDS,
  anchorGrid,
  boxIou,
  generateAnchors,
  matchAnchors,
  matchAnchorsToBoxes,
  matchGridAnchors,
  type AnchorConfig,
} from './index';
import { expectSameArray } from './__fixtures__/expect-arrays';

const iouOf = (rows: number[][]) => Float32Array.from(rows.flat());

describe('matchAnchors (IoU matrix [numGt, numAnchors])', () => {
  it('labels by thresholds: ≥ high positive, < low background, in between ignored', () => {
    expect(Array.from(matchAnchors(iouOf([[0.6, 0.5, 0.45, 0.4, 0.1]]), 1, 5, { allowLowQuality: false }))).toEqual([0, 0, -2, -2, -1]);
    expect(BELOW_LOW_THRESHOLD).toBe(-1);
    expect(BETWEEN_THRESHOLDS).toBe(-2);
  });

  it('gives an anchor the first GT among equal best IoUs', () => {
    expect(Array.from(matchAnchors(iouOf([[0.2, 0.7], [0.7, 0.7]]), 2, 2))).toEqual([1, 0]);
  });

  it('lets a GT claim every anchor tied at its best IoU, even below the low threshold', () => {
    expect(Array.from(matchAnchors(iouOf([[0.3, 0.2, 0.3]]), 1, 3))).toEqual([0, -1, 0]);
    expect(Array.from(matchAnchors(iouOf([[0.3, 0.2, 0.3]]), 1, 3, { allowLowQuality: false }))).toEqual([-1, -1, -1]);
  });

  it('gives a low-quality anchor its own argmax GT back, not the GT that claimed it (reference rule)', () => {
    // GT 0's best anchor is anchor 0 (0.30), whose argmax is GT 1 (0.35); GT 1's best is anchor 1 (0.45)
    expect(Array.from(matchAnchors(iouOf([[0.3, 0.05], [0.35, 0.45]]), 2, 2))).toEqual([1, 1]);
  });

  it('restores every anchor’s argmax when a GT overlaps no anchor (all tie at 0, as the reference does)', () => {
    expect(Array.from(matchAnchors(iouOf([[0.6, 0, 0], [0, 0, 0]]), 2, 3))).toEqual([0, 0, 0]);
    expect(Array.from(matchAnchors(iouOf([[0.6, 0, 0], [0, 0, 0]]), 2, 3, { allowLowQuality: false }))).toEqual([0, -1, -1]);
  });

  it('compares with thresholds cast to float32, as the reference does', () => {
    // float32(0.7) = 0.69999998807… < 0.7: an IoU of float32(0.7) reaches high = 0.7 only in float32
    expect(Array.from(matchAnchors(iouOf([[0.7]]), 1, 1, { high: 0.7, allowLowQuality: false }))).toEqual([0]);
  });

  it('gives every anchor background when there is no GT', () => {
    expect(Array.from(matchAnchors(new Float32Array(0), 0, 3))).toEqual([-1, -1, -1]);
  });

  it('rejects an IoU matrix of the wrong size and bad thresholds', () => {
    expect(() => matchAnchors(new Float32Array(5), 2, 3)).toThrow(/matchAnchors: iou has 5 values, expected numGt × numAnchors = 2 × 3/);
    expect(() => matchAnchors(new Float32Array(3), 1, 3, { high: 0.3, low: 0.4 })).toThrow(AnchorArgumentError);
    expect(() => matchAnchors(new Float32Array(3), 1, 3, { high: 1.5 })).toThrow(/options need 0 ≤ low ≤ high ≤ 1 \(got low 0.4, high 1.5\)/);
  });
});

/** Boxes on a half-pixel lattice, so that IoU ties and equal x1 values are common. */
const boxArb = (max: number, maxSide: number) =>
  fc
    .tuple(fc.integer({ min: -20, max: 2 * max }), fc.integer({ min: -20, max: 2 * max }), fc.integer({ min: 1, max: 2 * maxSide }), fc.integer({ min: 1, max: 2 * maxSide }))
    .map(([x, y, w, h]) => [x / 2, y / 2, (x + w) / 2, (y + h) / 2]);

const reference = (anchors: Float32Array, gt: Float32Array, lq: boolean) => matchAnchors(boxIou(gt, anchors), gt.length / 4, anchors.length / 4, { allowLowQuality: lq });

describe('matchAnchorsToBoxes (fused, any anchors)', () => {
  it('equals boxIou + matchAnchors on random scenes with duplicate GT boxes and identical anchors', () => {
    fc.assert(
      fc.property(fc.array(boxArb(100, 60), { maxLength: 12 }), fc.array(boxArb(100, 60), { minLength: 1, maxLength: 60 }), fc.boolean(), (gtBoxes, anchorBoxes, lq) => {
        const gt = Float32Array.from([...gtBoxes, ...gtBoxes.slice(0, 1)].flat());
        const anchors = Float32Array.from([...anchorBoxes, ...anchorBoxes.slice(0, 3)].flat());
        expectSameArray(matchAnchorsToBoxes(anchors, gt, { allowLowQuality: lq }), reference(anchors, gt, lq), 'anchor');
      }),
      { numRuns: 200 },
    );
  });

  it('gives every anchor background when there is no GT', () => {
    expect(Array.from(matchAnchorsToBoxes(generateAnchors(128, 128), new Float32Array(0)))).toEqual(new Array(3069).fill(-1));
  });

  it('rejects non-finite coordinates and bad lengths', () => {
    const anchors = generateAnchors(128, 128);
    expect(() => matchAnchorsToBoxes(anchors, Float32Array.from([0, 0, 10, 10, 5, Number.NaN, 9, 9]))).toThrow(
      /matchAnchorsToBoxes: gt box 1 has a non-finite coordinate \(5, NaN, 9, 9\)/,
    );
    expect(() => matchAnchorsToBoxes(anchors, new Float32Array(6))).toThrow(/gt must hold 4 numbers per box/);
  });
});

describe('matchGridAnchors (lattice windows)', () => {
  const cases: [string, number, number, AnchorConfig | undefined][] = [
    ['default config', 256, 384, undefined],
    ['offset 0.5, custom levels, sizes and ratios, size not a multiple of the stride', 200, 300, { levels: [2, 4, 5], baseSizes: [12, 50, 90], scales: [1, 1.7], ratios: [0.3, 1, 3.5], offset: 0.5 }],
  ];
  it.each(cases)('equals boxIou + matchAnchors on random GT over the anchor grid (%s)', (_, h, w, config) => {
    const grid = anchorGrid(h, w, config);
    expectSameArray(grid.anchors, generateAnchors(h, w, config));
    fc.assert(
      fc.property(fc.array(boxArb(Math.max(h, w), 250), { maxLength: 6 }), fc.boolean(), (boxes, lq) => {
        const gt = Float32Array.from([...boxes, ...boxes.slice(0, 1)].flat());
        expectSameArray(matchGridAnchors(grid, gt, { allowLowQuality: lq }), reference(grid.anchors, gt, lq), 'anchor');
      }),
      { numRuns: 30 },
    );
  });

  it('equals the reference for a GT entirely outside the image (every anchor gets its argmax back)', () => {
    const grid = anchorGrid(128, 128);
    const gt = Float32Array.from([10, 10, 60, 60, 2000, 2000, 2100, 2100]);
    const labels = matchGridAnchors(grid, gt);
    expectSameArray(labels, reference(grid.anchors, gt, true), 'anchor');
    expect(labels.every((l) => l === 0)).toBe(true);
  });

  it('equals the reference for a degenerate (zero-width) GT box, on both fused paths', () => {
    const grid = anchorGrid(128, 128);
    const gt = Float32Array.from([10, 10, 60, 60, 30, 30, 30, 90]);
    expectSameArray(matchGridAnchors(grid, gt), reference(grid.anchors, gt, true), 'anchor');
    expectSameArray(matchAnchorsToBoxes(grid.anchors, gt), reference(grid.anchors, gt, true), 'anchor');
  });

  it('gives every anchor background when there is no GT', () => {
    expect(Array.from(matchGridAnchors(anchorGrid(128, 128), new Float32Array(0)))).toEqual(new Array(3069).fill(-1));
  });

  it('rejects non-finite GT coordinates', () => {
    expect(() => matchGridAnchors(anchorGrid(128, 128), Float32Array.from([0, 0, Infinity, 10]))).toThrow(/matchGridAnchors: gt box 0 has a non-finite coordinate/);
  });
});
