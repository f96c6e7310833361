import fc from 'fast-check';
import { AnchorArgumentError, boxAreas, boxIou, pairIou } from './index';

/** An independent IoU in float64, sharing no code with the library. */
function naiveIou(a: number[], b: number[]): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  return inter === 0 ? 0 : inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** Boxes on a quarter-pixel lattice (exact in float32), some touching or disjoint, some degenerate. */
const boxArb = fc
  .tuple(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 480 }), fc.integer({ min: 0, max: 480 }))
  .map(([x, y, w, h]) => [x / 4, y / 4, (x + w) / 4, (y + h) / 4]);

describe('boxIou', () => {
  it('matches hand-computed values', () => {
    // [0,0,2,2] vs [1,1,3,3]: intersection 1, union 4 + 4 − 1 = 7; vs itself: 1; vs a disjoint box: 0;
    // vs [1,0,3,2] (touching halfway): 2 / 6; vs a box sharing only an edge: 0
    const a = Float32Array.from([0, 0, 2, 2]);
    const b = Float32Array.from([1, 1, 3, 3, 0, 0, 2, 2, 5, 5, 6, 6, 1, 0, 3, 2, 2, 0, 4, 2]);
    expect(Array.from(boxIou(a, b))).toEqual([1 / 7, 1, 0, 2 / 6, 0].map(Math.fround));
  });

  it('agrees with an independent float64 IoU on random boxes, row-major [N, M]', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { minLength: 1, maxLength: 8 }), fc.array(boxArb, { minLength: 1, maxLength: 8 }), (a, b) => {
        const iou = boxIou(Float32Array.from(a.flat()), Float32Array.from(b.flat()));
        expect(iou.length).toBe(a.length * b.length);
        a.forEach((ba, i) => b.forEach((bb, j) => expect(Math.abs(iou[i * b.length + j] - naiveIou(ba, bb))).toBeLessThanOrEqual(1e-6)));
      }),
    );
  });

  it('is symmetric: boxIou(a, b)[i, j] === boxIou(b, a)[j, i]', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { minLength: 1, maxLength: 6 }), fc.array(boxArb, { minLength: 1, maxLength: 6 }), (a, b) => {
        const ab = boxIou(Float32Array.from(a.flat()), Float32Array.from(b.flat()));
        const ba = boxIou(Float32Array.from(b.flat()), Float32Array.from(a.flat()));
        a.forEach((_, i) => b.forEach((__, j) => expect(ab[i * b.length + j]).toBe(ba[j * a.length + i])));
      }),
    );
  });

  it('handles empty inputs', () => {
    expect(boxIou(new Float32Array(0), Float32Array.from([0, 0, 1, 1])).length).toBe(0);
  });

  it('rejects arrays that are not 4 numbers per box', () => {
    expect(() => boxIou(new Float32Array(5), new Float32Array(4))).toThrow(AnchorArgumentError);
    expect(() => boxIou(new Float32Array(4), new Float32Array(7))).toThrow(/boxIou: b must hold 4 numbers per box \(length 7 is not a multiple of 4\)/);
  });

  it('rejects a non-finite coordinate, naming the box', () => {
    expect(() => boxIou(Float32Array.from([0, 0, 1, 1, 0, 0, Number.NaN, 1]), new Float32Array(4))).toThrow(/boxIou: a box 1 has a non-finite coordinate \(0, 0, NaN, 1\)/);
  });
});

describe('pairIou', () => {
  it('matches hand-computed values within one set', () => {
    // the same boxes as above, as one set: [0,0,2,2] is box 0
    const set = Float32Array.from([0, 0, 2, 2, 1, 1, 3, 3, 5, 5, 6, 6, 1, 0, 3, 2, 2, 0, 4, 2]);
    const areas = boxAreas(set);
    expect([1, 0, 2, 3, 4].map((j) => pairIou(set, areas, 0, j))).toEqual([1 / 7, 1, 0, 2 / 6, 0].map(Math.fround));
  });

  it('is bit-identical to the matrix from boxIou on random boxes', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { minLength: 1, maxLength: 10 }), (a) => {
        const set = Float32Array.from(a.flat());
        const areas = boxAreas(set);
        const matrix = boxIou(set, set);
        a.forEach((_, i) => a.forEach((__, j) => expect(pairIou(set, areas, i, j)).toBe(matrix[i * a.length + j])));
      }),
    );
  });
});

describe('boxAreas', () => {
  it('computes (x2 − x1)(y2 − y1)', () => {
    expect(Array.from(boxAreas(Float32Array.from([0, 0, 2, 3, 1, 1, 1, 5, 10, 20, 12.5, 21])))).toEqual([6, 0, 2.5]);
  });
});
