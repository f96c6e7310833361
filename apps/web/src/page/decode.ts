/**
 * An image file (a Blob: a picked, dropped or fetched file) decoded by the browser: a bitmap to draw
 * and its RGB pixels for the detector. EXIF orientation applied and colour converted to sRGB, alpha
 * dropped — what `retina-eval predict` gets from sharp.
 */
import { rgbFromRgba, type RgbImage } from '@retina/image';

export interface DecodedImage {
  bitmap: ImageBitmap;
  rgb: RgbImage;
}

export async function decodeBlob(blob: Blob): Promise<DecodedImage> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
  const { width, height } = bitmap;
  // a CPU-backed canvas (willReadFrequently): the pixels as decoded, with no GPU colour path in between
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
  return { bitmap, rgb: rgbFromRgba(data, width, height) };
}
