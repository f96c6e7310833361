import fc from 'fast-check';
import { Rng } from '../random';
import {
  colorJitter,
  hflipBoxes,
  hflipImage,
  boxesLargerThan,
  paddedSize,
  resizeBoxes,
  resizeScale,
  sampleColorFactors,
  scaledSize,
} from './transforms';

describe('resize arithmetic', () => {
  it('brings the shorter side to shortSide unless the longer side would pass maxSize', () => {
    // 480×640 with (800, 1333): 800/480 = 1.667 and 1333/640 = 2.08 → 1.667 → 800×1067.
    expect(resizeScale({ height: 480, width: 640 }, 800, 1333)).toBeCloseTo(800 / 480, 12);
    expect(scaledSize({ height: 480, width: 640 }, 800 / 480)).toEqual({ height: 800, width: 1067 });
    // 200×1000 with (800, 1333): 800/200 = 4 but 1333/1000 = 1.333 → capped → 267×1333.
    expect(resizeScale({ height: 200, width: 1000 }, 800, 1333)).toBeCloseTo(1.333, 12);
    expect(scaledSize({ height: 200, width: 1000 }, 1.333)).toEqual({ height: 267, width: 1333 });
  });

  it('pads up to a multiple of 128', () => {
    expect(paddedSize({ height: 800, width: 1067 }, 128)).toEqual({ height: 896, width: 1152 });
    expect(paddedSize({ height: 256, width: 1 }, 128)).toEqual({ height: 256, width: 128 });
  });

  it('scales boxes per axis by new size / old size', () => {
    const out = resizeBoxes(Float32Array.of(10, 20, 30, 40), { height: 100, width: 200 }, { height: 50, width: 300 });
    expect([...out]).toEqual([15, 10, 45, 20]);
  });
});

describe('horizontal flip', () => {
  it('mirrors boxes about the image width (hand values) and is an involution', () => {
    const b = Float32Array.of(10, 5, 30, 25, 0, 0, 100, 1);
    expect([...hflipBoxes(b, 100)]).toEqual([70, 5, 90, 25, 0, 0, 100, 1]);
    fc.assert(
      // Quarter pixels: exactly representable, so the round trip must be exact.
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }).map((q) => q / 4), { minLength: 4, maxLength: 4 }), (v) => {
        const box = Float32Array.of(Math.min(v[0], v[2]), Math.min(v[1], v[3]), Math.max(v[0], v[2]), Math.max(v[1], v[3]));
        expect([...hflipBoxes(hflipBoxes(box, 500), 500)]).toEqual([...box]);
      }),
    );
  });

  it('moves pixels exactly where the flipped box says', () => {
    const width = 7;
    const height = 3;
    const data = new Uint8Array(width * height * 3);
    data.set([255, 0, 0], (1 * width + 1) * 3); // pixel (x=1, y=1) = box [1, 1, 2, 2]
    const flipped = hflipImage({ data, width, height });
    const [x1] = hflipBoxes(Float32Array.of(1, 1, 2, 2), width);
    expect(x1).toBe(5);
    expect([...flipped.data.subarray((1 * width + 5) * 3, (1 * width + 5) * 3 + 3)]).toEqual([255, 0, 0]);
    expect(flipped.data.reduce((s, v) => s + v, 0)).toBe(255);
  });
});

describe('boxesLargerThan', () => {
  it('keeps the boxes wider and taller than minSize', () => {
    const b = Float32Array.of(0, 0, 10, 10, 5, 5, 5, 9, 1, 1, 2.5, 1.5, 0, 0, 1, 3);
    expect(boxesLargerThan(b)).toEqual([0, 2, 3]);
    expect(boxesLargerThan(b, 1)).toEqual([0]);
  });
});

describe('colorJitter', () => {
  const image = { data: Uint8Array.of(10, 100, 200, 50, 60, 70), width: 2, height: 1 };

  it('is the identity with all factors 1', () => {
    expect([...colorJitter(image, { brightness: 1, contrast: 1, saturation: 1 }).data]).toEqual([...image.data]);
  });

  it('gives black at brightness 0 and each pixel its gray level at saturation 0', () => {
    expect([...colorJitter(image, { brightness: 0, contrast: 1, saturation: 1 }).data]).toEqual([0, 0, 0, 0, 0, 0]);
    // gray = 0.2989 r + 0.587 g + 0.114 b: (10, 100, 200) → 84.47; (50, 60, 70) → 58.16.
    expect([...colorJitter(image, { brightness: 1, contrast: 1, saturation: 0 }).data]).toEqual([84, 84, 84, 58, 58, 58]);
  });

  it('draws factors within [1 - s, 1 + s], deterministically per seed', () => {
    const a = sampleColorFactors({ brightness: 0.4, saturation: 0.2 }, new Rng(3));
    expect(a.brightness).toBeGreaterThanOrEqual(0.6);
    expect(a.brightness).toBeLessThan(1.4);
    expect(a.contrast).toBe(1);
    expect(sampleColorFactors({ brightness: 0.4, saturation: 0.2 }, new Rng(3))).toEqual(a);
  });
});
