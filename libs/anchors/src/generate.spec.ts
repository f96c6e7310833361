import { AnchorArgumentError, AnchorConfigError, anchorsPerLevel, anchorsPerLocation, baseAnchors, generateAnchors } from './index';
import { expectSameArray } from './__fixtures__/expect-arrays';

describe('baseAnchors', () => {
  it('matches hand-computed base anchors of size 32 (ratio-major, then size; rounded half to even)', () => {
    // ratio 0.5: w = 32·√2 = 45.25, h = 32/√2 = 22.63 → ±22.63, ±11.31 → (−23, −11, 23, 11); ratio 1: ±16; ratio 2: transposed
    expect(Array.from(baseAnchors([32], [0.5, 1, 2]))).toEqual([-23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23]);
    // size 3, ratio 1: ±1.5 rounds to ±2 (even), size 5: ±2.5 rounds to ±2 (even)
    expect(Array.from(baseAnchors([3, 5], [1]))).toEqual([-2, -2, 2, 2, -2, -2, 2, 2]);
  });
});

describe('generateAnchors layout', () => {
  it('orders level, then row (y), then column (x), then base anchor; centres at stride × i', () => {
    const anchors = generateAnchors(16, 24, { levels: [3], sizes: [[8]], ratios: [1, 2] });
    const base = [-4, -4, 4, 4, -3, -6, 3, 6]; // size 8: ratio 1 → ±4; ratio 2 → w 5.66, h 11.31 → ±3, ±6
    const expected: number[] = [];
    for (const cy of [0, 8]) for (const cx of [0, 8, 16]) for (let b = 0; b < 8; b += 4) expected.push(cx + base[b], cy + base[b + 1], cx + base[b + 2], cy + base[b + 3]);
    expect(Array.from(anchors)).toEqual(expected);
  });

  it('offset 0.5 shifts every centre by half the stride on every level', () => {
    const a0 = generateAnchors(256, 384);
    const shift = Array.from(generateAnchors(256, 384, { offset: 0.5 }), (v, k) => v - a0[k]);
    const expected = anchorsPerLevel(256, 384).flatMap((count, i) => new Array(4 * count).fill(2 ** (3 + i) / 2));
    expectSameArray(shift, expected);
  });

  it('uses ceil(size / stride) locations when the size is not a multiple of the stride', () => {
    // 100 × 130: P3 13 × 17, P4 7 × 9, P5 4 × 5, P6 2 × 3, P7 1 × 2; 9 anchors each
    const counts = anchorsPerLevel(100, 130);
    expect(counts).toEqual([13 * 17, 7 * 9, 4 * 5, 2 * 3, 1 * 2].map((n) => 9 * n));
    const p3 = generateAnchors(100, 130, { levels: [3], sizes: [[32]], ratios: [1] });
    expect(Array.from(p3.subarray(p3.length - 4))).toEqual([128 - 16, 96 - 16, 128 + 16, 96 + 16]); // last centre (x 128, y 96)
  });

  it('counts anchors per location from ratios × sizes', () => {
    expect(anchorsPerLocation()).toBe(9);
    expect(anchorsPerLocation({ ratios: [1], scales: [1, 2] })).toBe(2);
    expect(generateAnchors(128, 128).length / 4).toBe(anchorsPerLevel(128, 128).reduce((a, b) => a + b));
  });

  it('rejects a bad image size', () => {
    expect(() => generateAnchors(0, 128)).toThrow(AnchorArgumentError);
    expect(() => anchorsPerLevel(12.5, 128)).toThrow(/anchorsPerLevel: imageHeight × imageWidth must be positive integers \(got 12.5 × 128\)/);
  });
});

describe('AnchorConfig validation', () => {
  it.each([
    [{ levels: [] }, /anchor config: levels: must be a non-empty list/],
    [{ levels: [2.5] }, /levels\[0\]: must be an integer in 0..12 \(got 2.5\)/],
    [{ levels: [3, 13] }, /levels\[1\]: must be an integer in 0..12 \(got 13\)/],
    [{ ratios: [1, -2] }, /ratios\[1\]: must be a finite number > 0 \(got -2\)/],
    [{ ratios: [] }, /ratios: must be a non-empty list/],
    [{ scales: [0] }, /scales\[0\]: must be a finite number > 0 \(got 0\)/],
    [{ baseSizes: [32, 64] }, /baseSizes: needs one size per level \(5 levels, got 2\)/],
    [{ baseSizes: [32, 64, -128, 256, 512] }, /baseSizes\[2\]: must be a finite number > 0 \(got -128\)/],
    [{ levels: [3], baseSizes: [1], scales: [0.5] }, /baseSizes\[0\] × scales\[0\]: truncates to 0 px/],
    [{ sizes: [[32], [64]] }, /sizes: needs one list per level \(5 levels, got 2\)/],
    [{ levels: [3], sizes: [[32, 0]] }, /sizes\[0\]\[1\]: must be a finite number > 0 \(got 0\)/],
    [{ levels: [3, 4], sizes: [[32, 40], [64]] }, /sizes: every level needs the same number of sizes .*got 2, 1/],
    [{ levels: [3], sizes: [[32]], scales: [1] }, /sizes: give either sizes or baseSizes\/scales, not both/],
    [{ offset: 1.5 }, /offset: must be in \[0, 1\) \(got 1.5\)/],
    [{ offset: -0.5 }, /offset: must be in \[0, 1\) \(got -0.5\)/],
    [{ ratio: [1] }, /anchor config: ratio: unknown field \(known: levels, baseSizes, scales, sizes, ratios, offset\)/],
  ])('rejects %p', (config, message) => {
    expect(() => generateAnchors(128, 128, config as never)).toThrow(AnchorConfigError);
    expect(() => generateAnchors(128, 128, config as never)).toThrow(message);
  });

  it('names the field on the error object', () => {
    try {
      anchorsPerLocation({ ratios: [1, Number.NaN] });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(AnchorConfigError);
      expect((e as AnchorConfigError).field).toBe('ratios[1]');
    }
  });
});
