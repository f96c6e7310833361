/**
 * Image decoding with sharp: JPEG, PNG and WebP only (no SVG or other formats that can reference
 * other files); EXIF orientation applied; grayscale → RGB, alpha dropped (as PIL's convert('RGB')
 * and torchvision's ImageReadMode.RGB do), 16-bit → 8-bit. A truncated or damaged file decodes with a
 * warning naming it (as OpenCV/PIL users expect); an unreadable one is an `ImageDecodeError`.
 */
import { readFile } from 'node:fs/promises';
import type { RgbImage } from '@retina/image';
import sharp from 'sharp';
import { ImageDecodeError, oneLine } from '../errors';
import { orientedSize } from './orientation';

/** PIL's decompression-bomb limit (Image.MAX_IMAGE_PIXELS): 1024 * 1024 * 1024 // 4 // 3 pixels. */
export const DEFAULT_MAX_PIXELS = 89_478_485;
export const SUPPORTED_FORMATS: readonly string[] = ['jpeg', 'png', 'webp'];
/** Resampling kernel for resizing (torchvision's detection transform resizes bilinearly). */
const RESIZE_KERNEL = 'linear';

/** An image file whose header has been read and checked (format, pixel count). */
export interface ImageFile {
  path: string;
  bytes: Buffer;
  format: string;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1..8 (1 when absent). */
  orientation: number;
  /** Size of the pixels as stored (before orientation). */
  storedWidth: number;
  storedHeight: number;
}

/** Decoded RGB pixels, row-major HWC, 3 bytes per pixel (@retina/image's type). */
export type { RgbImage };

export interface DecodedImage extends RgbImage {
  /** One-line warnings naming the file (e.g. a truncated JPEG). */
  warnings: string[];
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (decompression bombs). Default `DEFAULT_MAX_PIXELS`. */
  maxPixels?: number;
  /** Resize (after orientation) to exactly this size; default: keep the oriented size. */
  resize?: { width: number; height: number };
}

/** Reads a file and checks its header: supported format, pixel count within `maxPixels`. */
export async function readImageFile(path: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<ImageFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ImageDecodeError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'none', limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageDecodeError(path, `cannot decode image: ${(err as Error).message}`);
  }
  const { format = 'unknown', width = 0, height = 0 } = meta;
  if (!SUPPORTED_FORMATS.includes(format)) {
    throw new ImageDecodeError(path, `unsupported image format ${format} (expected ${SUPPORTED_FORMATS.join(', ')})`);
  }
  if (width * height > maxPixels) {
    throw new ImageDecodeError(path, `${width}x${height} = ${width * height} pixels is above the limit of ${maxPixels} (maxPixels); refusing to decode a possible decompression bomb`);
  }
  const orientation = meta.orientation ?? 1;
  return { path, bytes, format, ...orientedSize(width, height, orientation), orientation, storedWidth: width, storedHeight: height };
}

/** Decodes an image (a path, or a file from `readImageFile`) to RGB uint8, oriented and optionally resized. */
export async function decodeImage(source: string | ImageFile, options: DecodeOptions = {}): Promise<DecodedImage> {
  const file = typeof source === 'string' ? await readImageFile(source, options.maxPixels) : source;
  try {
    return { ...(await decodePixels(file, options, 'truncated')), warnings: [] };
  } catch (strictError) {
    // Damaged data (e.g. a truncated JPEG): decode what is there, as PIL/OpenCV do, and say so.
    // (libvips' own warning events cannot be used: sharp collects them in one process-wide queue,
    // so under concurrency they are reported on whichever image finishes next.)
    const image = await decodePixels(file, options, 'none').catch((err: Error) => {
      throw new ImageDecodeError(file.path, `cannot decode image: ${err.message}`);
    });
    return { ...image, warnings: [oneLine(`${file.path}: damaged image data, decoded anyway (${damageReason(file, strictError as Error)})`)] };
  }
}

/** libvips reports this when its (process-wide) error buffer was emptied by another thread. */
const LOST_VIPS_MESSAGE = 'Unknown error';

/**
 * Why strict decoding failed, in words that do not depend on timing: a JPEG with no end-of-image
 * marker (FF D9) is called truncated by us; otherwise libvips' own message, which it can lose under
 * concurrency (its error buffer is shared by all threads).
 */
function damageReason(file: ImageFile, strictError: Error): string {
  if (file.format === 'jpeg' && !hasJpegEndMarker(file.bytes)) return 'truncated JPEG: the data ends before its end-of-image marker';
  const message = strictError.message.trim();
  return message && message !== LOST_VIPS_MESSAGE ? message : 'libvips gave no detail';
}

function hasJpegEndMarker(bytes: Buffer): boolean {
  // Entropy-coded data never holds FF D9 (a 0xFF data byte is stuffed as FF 00); trailing bytes after
  // the marker are common in real files, so look for the last occurrence rather than the last two bytes.
  return bytes.lastIndexOf(Buffer.from([0xff, 0xd9])) >= 2;
}

async function decodePixels(file: ImageFile, options: DecodeOptions, failOn: 'truncated' | 'none'): Promise<RgbImage> {
  const pipeline = sharp(file.bytes, { failOn, limitInputPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS }).autoOrient();
  if (options.resize) pipeline.resize(options.resize.width, options.resize.height, { fit: 'fill', kernel: RESIZE_KERNEL });
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after conversion to sRGB, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width };
}
