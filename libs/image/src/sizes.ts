/**
 * Test-time and training sizes: the resize scale (shorter side, capped longer side), the resized
 * size in whole pixels, and the padded size the detector takes (sides multiples of its largest stride).
 */
import type { Size } from './types';

/**
 * Scale that brings the shorter side to `shortSide` unless the longer side would exceed `maxSize`
 * (then the longer side becomes `maxSize`), as torchvision's GeneralizedRCNNTransform.
 */
export function resizeScale(size: Size, shortSide: number, maxSize: number): number {
  const short = Math.min(size.height, size.width);
  const long = Math.max(size.height, size.width);
  return Math.min(shortSide / short, maxSize / long);
}

/** Size of an image scaled by `scale`, rounded to whole pixels (at least 1). */
export function scaledSize(size: Size, scale: number): Size {
  return { height: Math.max(1, Math.round(size.height * scale)), width: Math.max(1, Math.round(size.width * scale)) };
}

/** Smallest size ≥ `size` whose sides are multiples of `multiple`. */
export function paddedSize(size: Size, multiple: number): Size {
  return { height: Math.ceil(size.height / multiple) * multiple, width: Math.ceil(size.width / multiple) * multiple };
}
