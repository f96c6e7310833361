import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AnchorArgumentError, BBOX_XFORM_CLIP, decodeBoxes, encodeBoxes } from './index';

describe('encodeBoxes / decodeBoxes', () => {
  it('encodes a hand-computed case (width = x2 − x1, centre = x1 + w/2)', () => {
    // anchor [0,0,20,20]: centre (10, 10), size 20×20; gt [10,10,30,50]: centre (20, 30), size 20×40
    const d = encodeBoxes(Float32Array.from([10, 10, 30, 50]), Float32Array.from([0, 0, 20, 20]));
    expect(Array.from(d)).toEqual([0.5, 1, 0, Math.fround(Math.log(2))]);
  });

  it('scales each delta by its weight', () => {
    const d = encodeBoxes(Float32Array.from([10, 10, 30, 50]), Float32Array.from([0, 0, 20, 20]), [10, 10, 5, 5]);
    expect(Array.from(d)).toEqual([5, 10, 0, Math.fround(5 * Math.fround(Math.log(2)))]);
    const back = decodeBoxes(d, Float32Array.from([0, 0, 20, 20]), [10, 10, 5, 5]);
    [10, 10, 30, 50].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 4));
  });

  it('clamps dw, dh at torchvision’s bbox_xform_clip when decoding: at most 62.5× the anchor size', () => {
    const golden = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/golden/anchors/box_coder.json'), 'utf8')) as { bbox_xform_clip: number };
    expect(BBOX_XFORM_CLIP).toBeCloseTo(golden.bbox_xform_clip, 12);
    const boxes = decodeBoxes(Float32Array.from([0, 0, 10, 100]), Float32Array.from([0, 0, 16, 16]));
    // centre (8, 8), width = height = 16 × 62.5 = 1000
    [8 - 500, 8 - 500, 8 + 500, 8 + 500].forEach((v, i) => expect(boxes[i]).toBeCloseTo(v, 3));
  });

  it('decode(encode(gt)) returns gt while sizes are within the clamp', () => {
    const box = fc
      .tuple(fc.integer({ min: -50, max: 400 }), fc.integer({ min: -50, max: 400 }), fc.integer({ min: 4, max: 200 }), fc.integer({ min: 4, max: 200 })) // side ratios ≤ 50 < 62.5
      .map(([x, y, w, h]) => [x, y, x + w, y + h]);
    fc.assert(
      fc.property(fc.array(fc.tuple(box, box), { minLength: 1, maxLength: 10 }), (pairs) => {
        const gt = Float32Array.from(pairs.flatMap((p) => p[0]));
        const anchors = Float32Array.from(pairs.flatMap((p) => p[1]));
        const back = decodeBoxes(encodeBoxes(gt, anchors), anchors);
        gt.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v))));
      }),
    );
  });

  it('rejects mismatched counts and bad weights', () => {
    expect(() => encodeBoxes(new Float32Array(8), new Float32Array(4))).toThrow(/encodeBoxes: gt has 2 boxes but anchors has 1/);
    expect(() => decodeBoxes(new Float32Array(4), new Float32Array(4), [1, 1, 0, 1])).toThrow(AnchorArgumentError);
    expect(() => decodeBoxes(new Float32Array(4), new Float32Array(4), [1, 1, 0, 1])).toThrow(/decodeBoxes: weights must be 4 finite numbers > 0 \(got \[1,1,0,1\]\)/);
  });
});
