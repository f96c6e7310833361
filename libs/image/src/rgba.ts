import { ImageInputError } from './errors';
import type { RgbImage } from './types';

/**
 * RGB pixels of RGBA ones (a canvas's `ImageData`), the alpha dropped as sharp's `removeAlpha()` does
 * for `retina-eval predict` (no compositing onto a background).
 */
export function rgbFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  if (rgba.length !== width * height * 4) throw new ImageInputError('rgbFromRgba', `rgba must hold width × height × 4 bytes (got ${width}×${height}, ${rgba.length} bytes)`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i];
    data[j + 1] = rgba[i + 1];
    data[j + 2] = rgba[i + 2];
  }
  return { data, height, width };
}
