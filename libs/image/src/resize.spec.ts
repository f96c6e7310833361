import { ImageInputError, resizeRgb, type RgbImage } from './index';

/** A one-row image whose three channels all hold `values`. */
const row = (values: number[]): RgbImage => ({ data: Uint8Array.from(values.flatMap((v) => [v, v, v])), height: 1, width: values.length });
const channel0 = (im: RgbImage): number[] => Array.from(im.data.filter((_, i) => i % 3 === 0));

describe('resizeRgb', () => {
  it('reduces with a triangle filter as wide as the shrink, centred at (o + 0.5)·shrink − 0.5, edges copied (hand-computed)', () => {
    // shrink 2: taps at −1, 0, 1, 2 with weights ¼ ¾ ¾ ¼ (sum 2), the −1 tap reading pixel 0
    // out0 = (¼·0 + ¾·0 + ¾·100 + ¼·200) / 2 = 62.5 → 63; out1 = (¼·100 + ¾·200 + ¾·40 + ¼·40) / 2 = 107.5 → 108
    expect(channel0(resizeRgb(row([0, 100, 200, 40]), { height: 1, width: 2 }))).toEqual([63, 108]);
  });

  it('enlarges bilinearly at o·shrink − 0.5 (libvips’ affine convention), edges copied (hand-computed)', () => {
    // shrink ½: positions −0.5, 0, 0.5, 1 → a, a, (a + b)/2, b
    expect(channel0(resizeRgb(row([10, 30]), { height: 1, width: 4 }))).toEqual([10, 10, 20, 30]);
  });

  it('resizes each axis on its own and each channel on its own', () => {
    const im: RgbImage = { data: Uint8Array.from([10, 0, 255, 30, 0, 255]), height: 2, width: 1 }; // a column: 10 over 30
    const out = resizeRgb(im, { height: 4, width: 3 });
    expect([out.height, out.width, out.data.length]).toEqual([4, 3, 36]);
    const column = (c: number) => [0, 1, 2, 3].map((y) => out.data[(y * 3 + 1) * 3 + c]);
    expect([column(0), column(1), column(2)]).toEqual([[10, 10, 20, 30], [0, 0, 0, 0], [255, 255, 255, 255]]);
  });

  it.each([
    [5, 7, 3, 2],
    [9, 4, 20, 11],
    [13, 13, 13, 6],
  ])('keeps a constant image constant (%i×%i → %i×%i)', (h, w, oh, ow) => {
    const data = new Uint8Array(h * w * 3).map((_, i) => [17, 130, 254][i % 3]);
    const out = resizeRgb({ data, height: h, width: w }, { height: oh, width: ow });
    expect(new Set(channel0(out))).toEqual(new Set([17]));
    expect(out.data.every((v, i) => v === [17, 130, 254][i % 3])).toBe(true);
  });

  it('copies an image whose size does not change (new pixels, same values)', () => {
    const im = row([1, 2, 3]);
    const out = resizeRgb(im, { height: 1, width: 3 });
    expect(out.data).toEqual(im.data);
    expect(out.data).not.toBe(im.data);
  });

  it('names the call and the argument when the image or the size is wrong', () => {
    expect(() => resizeRgb({ data: new Uint8Array(5), height: 1, width: 2 }, { height: 1, width: 1 })).toThrow(ImageInputError);
    expect(() => resizeRgb({ data: new Uint8Array(5), height: 1, width: 2 }, { height: 1, width: 1 })).toThrow(/^Error in resizeRgb: image must hold height × width × 3 bytes .*\(got 1×2, 5 bytes\)/);
    expect(() => resizeRgb(row([1]), { height: 0, width: 2.5 })).toThrow(/^Error in resizeRgb: size must have integer sides ≥ 1 \(got 0×2.5\)/);
  });
});
