import { rgbFromRgba } from './index';

describe('rgbFromRgba', () => {
  it('keeps R, G and B of each pixel and drops alpha without compositing', () => {
    const rgba = Uint8ClampedArray.from([1, 2, 3, 255, 4, 5, 6, 0, 7, 8, 9, 128]);
    expect(rgbFromRgba(rgba, 3, 1)).toEqual({ data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), height: 1, width: 3 });
  });

  it('refuses a buffer of the wrong length, naming the call', () => {
    expect(() => rgbFromRgba(new Uint8Array(7), 1, 2)).toThrow(/^Error in rgbFromRgba: rgba must hold width × height × 4 bytes \(got 1×2, 7 bytes\)/);
  });
});
