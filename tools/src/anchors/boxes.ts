/**
 * The GT boxes an anchor analysis looks at, moved into the frame training sees: each image resized
 * like the data loader does (shorter side to `imageSize`, longer side capped at `maxSize`, sides
 * rounded to whole pixels, boxes scaled per axis) using the size the annotation file gives, and
 * padded (bottom/right) to a multiple of `padMultiple`. Crowd regions are left out (they are never
 * positives) and so are boxes that became degenerate, as training drops them.
 */
import { boxesLargerThan, paddedSize, resizeBoxes, resizeScale, scaledSize, type DatasetImage, type Size } from '@retina/coco';
import { AnchorAnalysisError } from './config-flags';

export interface ResizeSettings {
  /** Target shorter side. Default 800. */
  imageSize: number;
  /** Cap on the longer side. Default 1333. */
  maxSize: number;
  /** Padding multiple: 128, the P7 stride. */
  padMultiple: number;
}

export const DEFAULT_RESIZE: Readonly<ResizeSettings> = Object.freeze({ imageSize: 800, maxSize: 1333, padMultiple: 128 });

/** N boxes in flat arrays (a COCO-val-sized set is 36k boxes: no object per box). */
export interface AnalysisBoxes {
  count: number;
  /** [N * 4] xyxy in resized-image pixels, float32 like training's targets. */
  boxes: Float32Array;
  /** [N] index into `paddedSizes` of the box's padded image. */
  sizeIndex: Int32Array;
  /** Distinct padded image sizes. */
  paddedSizes: Size[];
  imageIds: number[];
  annotationIds: number[];
  /** [N * 2] width, height in the pixels of the annotation file. */
  fileSizes: Float32Array;
  images: number;
  skipped: { crowd: number; degenerate: number };
}

export function checkResizeSettings(s: ResizeSettings): void {
  for (const [flag, value] of [['--image-size', s.imageSize], ['--max-size', s.maxSize], ['pad multiple', s.padMultiple]] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new AnchorAnalysisError(`${flag}: must be a finite number > 0 (got ${value})`);
  }
}

/** The non-crowd boxes of `images`, resized and indexed by padded image size. */
export function collectBoxes(images: readonly DatasetImage[], settings: ResizeSettings = DEFAULT_RESIZE): AnalysisBoxes {
  checkResizeSettings(settings);
  const boxes: number[] = [];
  const sizeIndex: number[] = [];
  const fileSizes: number[] = [];
  const imageIds: number[] = [];
  const annotationIds: number[] = [];
  const sizeKeys = new Map<string, number>();
  const paddedSizes: Size[] = [];
  const skipped = { crowd: 0, degenerate: 0 };
  for (const image of images) {
    const annotations = image.annotations.filter((a) => !a.iscrowd);
    skipped.crowd += image.annotations.length - annotations.length;
    if (annotations.length === 0) continue;
    const original: Size = { height: image.height, width: image.width };
    const resized = scaledSize(original, resizeScale(original, settings.imageSize, settings.maxSize));
    const padded = paddedSize(resized, settings.padMultiple);
    const key = `${padded.height}x${padded.width}`;
    if (!sizeKeys.has(key)) sizeKeys.set(key, paddedSizes.push(padded) - 1);
    const scaled = resizeBoxes(Float32Array.from(annotations.flatMap((a) => a.box)), original, resized);
    const keep = boxesLargerThan(scaled);
    skipped.degenerate += annotations.length - keep.length;
    for (const i of keep) {
      const a = annotations[i];
      boxes.push(...scaled.subarray(4 * i, 4 * i + 4));
      sizeIndex.push(sizeKeys.get(key) as number);
      fileSizes.push(a.box[2] - a.box[0], a.box[3] - a.box[1]);
      imageIds.push(image.id);
      annotationIds.push(a.id);
    }
  }
  return {
    count: imageIds.length,
    boxes: Float32Array.from(boxes),
    sizeIndex: Int32Array.from(sizeIndex),
    paddedSizes,
    imageIds,
    annotationIds,
    fileSizes: Float32Array.from(fileSizes),
    images: images.length,
    skipped,
  };
}
