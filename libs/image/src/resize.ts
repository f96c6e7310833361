/**
 * The resize of `retina-eval predict` and of the web page, in plain JS so that Node and a browser
 * compute the same pixels from the same decoded image. It follows libvips' `linear` kernel (sharp's
 * `kernel: 'linear'`, which the training data feed resizes with), separable, axis by axis:
 * - reducing (output side < input side): a triangle filter of half-width `shrink = in / out` input
 *   pixels (antialiased, libvips' reduce), centred on input position (o + 0.5) · shrink − 0.5;
 * - enlarging: bilinear interpolation at input position o · shrink − 0.5 (libvips' affine with its
 *   0.5 input offset);
 * an axis whose size does not change is copied; edges are extended by copying the border pixels.
 * libvips computes in fixed point (rounding between its two passes) and, for JPEGs reduced 2× or
 * more, sharp decodes them at a reduced scale first; this float version agrees with sharp to ±2
 * levels, most values equal, on the raccoon photos at the detector's sizes (libs/coco's
 * resize-agreement.spec.ts).
 */
import { ImageInputError } from './errors';
import type { RgbImage, Size } from './types';

const CHANNELS = 3;

/** Input taps of each output position along one axis: `index`/`weight` from `start[o]` to `start[o + 1]`. */
interface AxisTaps {
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

function axisTaps(inSize: number, outSize: number): AxisTaps {
  const shrink = inSize / outSize;
  const support = Math.max(1, shrink);
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = shrink > 1 ? (o + 0.5) * shrink - 0.5 : shrink < 1 ? o * shrink - 0.5 : o;
    const first = index.length;
    let sum = 0;
    for (let i = Math.floor(centre - support) + 1; i < centre + support; i++) {
      const w = 1 - Math.abs(i - centre) / support;
      if (w <= 0) continue;
      index.push(Math.min(inSize - 1, Math.max(0, i)));
      weight.push(w);
      sum += w;
    }
    for (let k = first; k < weight.length; k++) weight[k] /= sum;
    start[o + 1] = index.length;
  }
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * `image` resized to exactly `size` (new pixels; the input is not modified).
 * @param image RGB, row-major HWC
 * @param size target width and height, integers ≥ 1
 */
export function resizeRgb(image: RgbImage, size: Size): RgbImage {
  const { data, height: inH, width: inW } = image;
  if (!(Number.isInteger(inW) && Number.isInteger(inH) && inW >= 1 && inH >= 1) || data.length !== inW * inH * CHANNELS) {
    throw new ImageInputError('resizeRgb', `image must hold height × width × 3 bytes with integer sides ≥ 1 (got ${inH}×${inW}, ${data.length} bytes)`);
  }
  const { height: outH, width: outW } = size;
  if (!(Number.isInteger(outW) && Number.isInteger(outH) && outW >= 1 && outH >= 1)) {
    throw new ImageInputError('resizeRgb', `size must have integer sides ≥ 1 (got ${outH}×${outW})`);
  }
  if (outW === inW && outH === inH) return { data: Uint8Array.from(data), height: inH, width: inW };

  // horizontal pass into doubles, then vertical pass, rounding once at the end
  const tx = axisTaps(inW, outW);
  const rows = new Float64Array(inH * outW * CHANNELS);
  for (let y = 0; y < inH; y++) {
    const src = y * inW * CHANNELS;
    const dst = y * outW * CHANNELS;
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = tx.start[x]; k < tx.start[x + 1]; k++) {
        const p = src + tx.index[k] * CHANNELS;
        const w = tx.weight[k];
        r += w * data[p];
        g += w * data[p + 1];
        b += w * data[p + 2];
      }
      const q = dst + x * CHANNELS;
      rows[q] = r;
      rows[q + 1] = g;
      rows[q + 2] = b;
    }
  }
  const ty = axisTaps(inH, outH);
  const out = new Uint8Array(outH * outW * CHANNELS);
  const rowLength = outW * CHANNELS;
  const acc = new Float64Array(rowLength);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    for (let k = ty.start[y]; k < ty.start[y + 1]; k++) {
      const src = ty.index[k] * rowLength;
      const w = ty.weight[k];
      for (let i = 0; i < rowLength; i++) acc[i] += w * rows[src + i];
    }
    const dst = y * rowLength;
    for (let i = 0; i < rowLength; i++) out[dst + i] = Math.round(Math.min(255, Math.max(0, acc[i])));
  }
  return { data: out, height: outH, width: outW };
}
