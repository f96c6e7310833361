/**
 * `retina-eval predict` and the web page resize with @retina/image's `resizeRgb` (plain JS, the same
 * in Node and a browser); training and `retina-eval --model` resize inside sharp's decode
 * (`kernel: 'linear'`). This checks that the two give the same pixels to within two levels on the
 * bundled photos at the detector's sizes (reductions below 2×, where sharp decodes JPEGs at full
 * scale, and enlargements).
 */
import { join } from 'node:path';
import { resizeRgb, resizeScale, scaledSize } from '@retina/image';
import { decodeImage } from './decode';
import { RACCOON } from '../__fixtures__/helpers';

const PHOTOS = ['raccoon-1.jpg', 'raccoon-10.jpg', 'raccoon-102.jpg', 'raccoon-103.jpg'];
/** Shorter sides: 256 (the demo's test size) reduces most photos and enlarges raccoon-102 (259×194); 200 and 320 too. */
const SHORT_SIDES = [200, 256, 320];

describe("resizeRgb agrees with sharp's 'linear' resize of the decoder", () => {
  it.each(PHOTOS.map((p) => [p]))('%s: every channel value within ±2, at least 75 %% equal, mean difference < 0.25', async (photo) => {
    const path = join(RACCOON, 'images', photo);
    const full = await decodeImage(path);
    let sumDiff = 0;
    let count = 0;
    for (const short of SHORT_SIDES) {
      const size = scaledSize(full, resizeScale(full, short, 10_000));
      const bySharp = await decodeImage(path, { resize: size });
      const ours = resizeRgb(full, size);
      expect([ours.width, ours.height]).toEqual([bySharp.width, bySharp.height]);
      let maxDiff = 0;
      let equal = 0;
      for (let i = 0; i < ours.data.length; i++) {
        const d = Math.abs(ours.data[i] - bySharp.data[i]);
        maxDiff = Math.max(maxDiff, d);
        if (d === 0) equal++;
      }
      // [photo, short side, largest difference, share of equal values]: ±2 at most (libvips rounds
      // in fixed point, between its vertical and horizontal passes too), most values equal
      expect([photo, short, maxDiff <= 2, equal / ours.data.length >= 0.75]).toEqual([photo, short, true, true]);
      sumDiff += ours.data.reduce((s, v, i) => s + Math.abs(v - bySharp.data[i]), 0);
      count += ours.data.length;
    }
    // on average a fifth of a level or less
    expect(sumDiff / count).toBeLessThan(0.25);
  });
});
