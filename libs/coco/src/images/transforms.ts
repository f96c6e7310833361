/**
 * Geometric and photometric transforms as pure functions: sizes and boxes [N * 4] (xyxy, absolute
 * pixels) in, new values out. The pixel resize itself happens inside sharp's decode (fast, off the
 * main thread); these functions decide the size and move the boxes to match. The sizes themselves
 * (`resizeScale`, `scaledSize`, `paddedSize`) are @retina/image's, shared with inference.
 */
import type { RgbImage, Size } from '@retina/image';
import type { Rng } from '../random';
import type { BoxesXyxy } from '../types';

export { paddedSize, resizeScale, scaledSize, type Size } from '@retina/image';

/** Boxes mapped from an image of size `from` to the same image resized to `to` (per-axis ratio). */
export function resizeBoxes(boxes: BoxesXyxy, from: Size, to: Size): BoxesXyxy {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i] * sx;
    out[i + 1] = boxes[i + 1] * sy;
    out[i + 2] = boxes[i + 2] * sx;
    out[i + 3] = boxes[i + 3] * sy;
  }
  return out;
}

/** Boxes of an image of width `width` after a horizontal flip. */
export function hflipBoxes(boxes: BoxesXyxy, width: number): BoxesXyxy {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = width - boxes[i + 2];
    out[i + 1] = boxes[i + 1];
    out[i + 2] = width - boxes[i];
    out[i + 3] = boxes[i + 3];
  }
  return out;
}

/** The image mirrored left–right (new pixels). */
export function hflipImage(image: RgbImage): RgbImage {
  const { data, height, width } = image;
  const out = new Uint8Array(data.length);
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const base = y * row;
    for (let x = 0; x < width; x++) {
      const src = base + x * 3;
      const dst = base + (width - 1 - x) * 3;
      out[dst] = data[src];
      out[dst + 1] = data[src + 1];
      out[dst + 2] = data[src + 2];
    }
  }
  return { data: out, height, width };
}

/**
 * Indices of the boxes whose width and height both exceed `minSize` pixels (strictly; returns a plain
 * array). Not `@retina/anchors`' `removeSmallBoxes`, which keeps sides ≥ minSize as torchvision does.
 */
export function boxesLargerThan(boxes: BoxesXyxy, minSize = 0): number[] {
  const keep: number[] = [];
  for (let i = 0; i < boxes.length / 4; i++) {
    if (boxes[4 * i + 2] - boxes[4 * i] > minSize && boxes[4 * i + 3] - boxes[4 * i + 1] > minSize) keep.push(i);
  }
  return keep;
}

/** Brightness / contrast / saturation factors; 1 leaves the image unchanged. */
export interface ColorFactors {
  brightness: number;
  contrast: number;
  saturation: number;
}

/** Strengths as torchvision's ColorJitter: each factor is drawn from [max(0, 1 - s), 1 + s]. */
export interface ColorJitterOptions {
  brightness?: number;
  contrast?: number;
  saturation?: number;
}

export function sampleColorFactors(options: ColorJitterOptions, rng: Rng): ColorFactors {
  const draw = (s = 0): number => (s > 0 ? rng.uniform(Math.max(0, 1 - s), 1 + s) : 1);
  return { brightness: draw(options.brightness), contrast: draw(options.contrast), saturation: draw(options.saturation) };
}

/**
 * Applies brightness (blend with black), contrast (blend with the image's mean gray level) and
 * saturation (blend with the pixel's gray level), in that order, like torchvision's adjust_*
 * functions but in one pass without intermediate rounding.
 */
export function colorJitter(image: RgbImage, f: ColorFactors): RgbImage {
  const { data } = image;
  const out = new Uint8Array(data.length);
  const mean = meanGray(data) * f.brightness;
  for (let i = 0; i < data.length; i += 3) {
    let r = data[i] * f.brightness;
    let g = data[i + 1] * f.brightness;
    let b = data[i + 2] * f.brightness;
    r = clamp255(f.contrast * r + (1 - f.contrast) * mean);
    g = clamp255(f.contrast * g + (1 - f.contrast) * mean);
    b = clamp255(f.contrast * b + (1 - f.contrast) * mean);
    const gray = gray709(r, g, b);
    out[i] = Math.round(clamp255(f.saturation * r + (1 - f.saturation) * gray));
    out[i + 1] = Math.round(clamp255(f.saturation * g + (1 - f.saturation) * gray));
    out[i + 2] = Math.round(clamp255(f.saturation * b + (1 - f.saturation) * gray));
  }
  return { data: out, height: image.height, width: image.width };
}

function meanGray(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 3) sum += gray709(data[i], data[i + 1], data[i + 2]);
  return data.length ? sum / (data.length / 3) : 0;
}

/** torchvision's rgb_to_grayscale weights. */
function gray709(r: number, g: number, b: number): number {
  return 0.2989 * r + 0.587 * g + 0.114 * b;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
