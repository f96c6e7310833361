/**
 * One training/evaluation sample: decide the random choices (from the image's own seeded stream),
 * decode + orient + resize with sharp, move the boxes with the image, flip, jitter colours, and drop
 * boxes that became degenerate.
 */
import type { CategoryMap } from '../annotations/category-map';
import { decodeImage, readImageFile, type ImageFile, type RgbImage } from './decode';
import { ImageDecodeError } from '../errors';
import { annotationFrame } from './frame';
import { orientBoxes } from './orientation';
import { realPathInside } from '../annotations/paths';
import { Rng } from '../random';
import {
  colorJitter,
  hflipBoxes,
  hflipImage,
  boxesLargerThan,
  resizeBoxes,
  resizeScale,
  sampleColorFactors,
  scaledSize,
  type ColorFactors,
  type ColorJitterOptions,
  type Size,
} from './transforms';
import type { BoxesXyxy, DatasetImage } from '../types';

/** The random choices for one image in one epoch. */
export interface SamplePlan {
  image: DatasetImage;
  shortSide: number;
  /** Extra factor on the resize scale (scale jitter); 1 when off. */
  scaleFactor: number;
  flip: boolean;
  color: ColorFactors | null;
}

export interface AugmentOptions {
  shortSides: readonly number[];
  hflip: number;
  scaleJitter: readonly [number, number] | null;
  colorJitter: ColorJitterOptions | null;
}

/** Draws the plan from the stream of (seed, epoch, image id): independent of order and timing. */
export function planSample(image: DatasetImage, seed: number, epoch: number, o: AugmentOptions): SamplePlan {
  const rng = Rng.derive(seed, epoch, image.id);
  const shortSide = o.shortSides.length > 1 ? rng.pick(o.shortSides) : o.shortSides[0];
  const scaleFactor = o.scaleJitter ? rng.uniform(o.scaleJitter[0], o.scaleJitter[1]) : 1;
  const flip = rng.chance(o.hflip);
  const color = o.colorJitter ? sampleColorFactors(o.colorJitter, rng) : null;
  return { image, shortSide, scaleFactor, flip, color };
}

/** An image's targets and how its input pixels relate to the original: what a batch passes on per image. */
export interface SampleTargets {
  imageId: number;
  /** [N * 4] xyxy in the input's pixels (a batch pads bottom/right, so no offset there either). */
  boxes: BoxesXyxy;
  /** [N] contiguous class indices 0..C-1 (see the loader's `categoryMap`). */
  labels: Int32Array;
  /** [N] 1 = crowd region: an "ignore" region for matching, never a positive. */
  crowd: Uint8Array;
  /** Size of the image the annotations refer to (after EXIF orientation). */
  originalHeight: number;
  originalWidth: number;
  /** Input pixels per original pixel (nominal; the resized size is rounded to whole pixels). */
  scale: number;
  flipped: boolean;
}

/** A decoded, transformed image with its targets (boxes in the image's input pixels). */
export interface PreparedSample extends SampleTargets {
  pixels: RgbImage;
  droppedBoxes: number;
  warnings: string[];
}

export interface SampleContext {
  annotationFile: string;
  realRoot: string;
  categoryMap: CategoryMap;
  maxSize: number;
  maxPixels: number;
  minBoxSize: number;
}

export async function loadSample(plan: SamplePlan, ctx: SampleContext): Promise<PreparedSample> {
  const { image } = plan;
  const check = await realPathInside(ctx.realRoot, image.path);
  if (check.kind !== 'ok') {
    throw new ImageDecodeError(image.path, check.kind === 'missing' ? 'file not found' : `resolves outside the images root (${check.realPath})`);
  }
  const file = await readImageFile(image.path, ctx.maxPixels);
  const orientedBoxes = annotatedBoxes(image, file, ctx.annotationFile);
  const original: Size = { height: file.height, width: file.width };
  const scale = resizeScale(original, plan.shortSide, ctx.maxSize) * plan.scaleFactor;
  const size = scaledSize(original, scale);
  const decoded = await decodeImage(file, { resize: size, maxPixels: ctx.maxPixels });
  let pixels: RgbImage = decoded;
  let boxes = resizeBoxes(orientedBoxes, original, size);
  if (plan.flip) {
    pixels = hflipImage(pixels);
    boxes = hflipBoxes(boxes, size.width);
  }
  if (plan.color) pixels = colorJitter(pixels, plan.color);
  const keep = boxesLargerThan(boxes, ctx.minBoxSize);
  return {
    imageId: image.id,
    pixels,
    boxes: pick(boxes, keep, 4),
    labels: Int32Array.from(keep, (i) => ctx.categoryMap.toContiguous(image.annotations[i].categoryId)),
    crowd: Uint8Array.from(keep, (i) => (image.annotations[i].iscrowd ? 1 : 0)),
    originalHeight: original.height,
    originalWidth: original.width,
    scale,
    flipped: plan.flip,
    droppedBoxes: image.annotations.length - keep.length,
    warnings: decoded.warnings,
  };
}

/** The image's boxes [N * 4] (xyxy) in the frame of the decoded (EXIF-oriented) pixels. */
function annotatedBoxes(image: DatasetImage, file: ImageFile, annotationFile: string): BoxesXyxy {
  const boxes = Float32Array.from(image.annotations.flatMap((a) => a.box));
  if (annotationFrame(image, file, annotationFile) === 'oriented') return boxes;
  return orientBoxes(boxes, file.orientation, file.storedWidth, file.storedHeight);
}

function pick(values: Float32Array, indices: readonly number[], stride: number): Float32Array {
  const out = new Float32Array(indices.length * stride);
  indices.forEach((src, dst) => out.set(values.subarray(src * stride, (src + 1) * stride), dst * stride));
  return out;
}
