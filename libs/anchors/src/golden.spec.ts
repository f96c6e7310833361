import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  anchorGrid,
  anchorsPerLevel,
  boxIou,
  decodeBoxes,
  encodeBoxes,
  generateAnchors,
  matchAnchors,
  matchAnchorsToBoxes,
  BBOX_XFORM_CLIP,
} from './index';
import { expectSameArray } from './__fixtures__/expect-arrays';

const GOLDEN = join(__dirname, '../../../fixtures/golden/anchors');
const load = (name: string) => JSON.parse(readFileSync(join(GOLDEN, name), 'utf8'));

function expectRelClose(actual: ArrayLike<number>, expected: number[], rel: number, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = Math.max(abs, rel * Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

describe.each(['anchors_256x256.json', 'anchors_384x512.json'])('generateAnchors vs torchvision (%s)', (file) => {
  const g = load(file);
  const [h, w] = g.image_size;

  it('produces exactly the reference anchors in the reference order', () => {
    expectSameArray(generateAnchors(h, w), g.anchors);
  });

  it('splits into the reference per-level counts, each level equal to that level generated alone', () => {
    expect(anchorsPerLevel(h, w)).toEqual(g.anchors_per_level);
    let start = 0;
    g.anchors_per_level.forEach((count: number, i: number) => {
      const level = generateAnchors(h, w, { levels: [3 + i], sizes: [g.sizes[i]] });
      expectSameArray(level, g.anchors.slice(4 * start, 4 * (start + count)));
      start += count;
    });
  });

  it('is what anchorGrid carries', () => {
    expectSameArray(anchorGrid(h, w).anchors, g.anchors);
  });

  it('reproduces the reference with its explicit sizes', () => {
    expectSameArray(generateAnchors(h, w, { sizes: g.sizes, ratios: g.aspect_ratios[0] }), g.anchors);
  });
});

describe('box coder vs torchvision BoxCoder', () => {
  const g = load('box_coder.json');
  const anchors = Float32Array.from(g.anchors);

  it('encodes to 1e-5 relative', () => {
    expectRelClose(encodeBoxes(Float32Array.from(g.gt), anchors), g.encoded, 1e-5);
  });

  it('decodes (with the dw/dh clamp) to 1e-5 relative', () => {
    expectRelClose(decodeBoxes(Float32Array.from(g.deltas), anchors), g.decoded, 1e-5);
  });

  it('uses the reference clamp value', () => {
    expect(BBOX_XFORM_CLIP).toBeCloseTo(g.bbox_xform_clip, 12);
  });
});

describe.each(['matcher_a.json', 'matcher_b.json'])('matcher vs torchvision Matcher (%s)', (file) => {
  const g = load(file);
  const gt = Float32Array.from(g.gt);
  const anchors = Float32Array.from(g.anchors);
  const opts = { high: g.high, low: g.low, allowLowQuality: g.allow_low_quality_matches };

  it('computes the reference IoU matrix', () => {
    expectRelClose(boxIou(gt, anchors), g.iou, 1e-6, 1e-7);
  });

  it('labels every anchor exactly as the reference (from the reference IoU)', () => {
    expect(Array.from(matchAnchors(Float32Array.from(g.iou), g.num_gt, g.num_anchors, opts))).toEqual(g.matches);
  });

  it('labels every anchor exactly as the reference (from our IoU)', () => {
    expect(Array.from(matchAnchors(boxIou(gt, anchors), g.num_gt, g.num_anchors, opts))).toEqual(g.matches);
  });

  it('labels every anchor exactly as the reference (fused IoU + matching)', () => {
    expect(Array.from(matchAnchorsToBoxes(anchors, gt, opts))).toEqual(g.matches);
  });
});
