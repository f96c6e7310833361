/**
 * One decoded image through the detector, from RGB pixels to the detections a user sees: the
 * pre-processing (resize to the test size with @retina/image's `resizeRgb`, zero padding
 * bottom/right to the size multiple) and the reporting (best first, rounded, thresholded) that
 * `retina-eval predict` and the web page share. Normalisation, box decoding and NMS are the model's
 * own (`forward`, `predict`). Browser-safe: decoding the file is the caller's (sharp in Node, a
 * canvas in a browser).
 */
import * as tf from '@tensorflow/tfjs-core';
import { paddedSize, resizeRgb, resizeScale, scaledSize, type RgbImage, type Size } from '@retina/image';
import type { Category, RetinaNetConfig, TestSizeConfig } from './config';
import { RetinaNetInputError } from './errors';
import type { RetinaNet } from './model';
import type { ImageMeta } from './postprocess';

/** Reported boxes are rounded to 1/BOX_DECIMALS px, scores to 1/SCORE_DECIMALS. */
export const BOX_DECIMALS = 100;
export const SCORE_DECIMALS = 10_000;

/** A detection as reported: `box` is [x1, y1, x2, y2] (xyxy) in the original image's pixels. */
export interface ReportedDetection {
  readonly box: [number, number, number, number];
  /** COCO category id of the model's saved categories (the class index when it has none). */
  readonly categoryId: number;
  readonly category: string;
  readonly score: number;
}

/** The detector's input for one image: pixels [1, height, width, 3] (RGB 0..255, padded) and how they relate to the original. */
export interface PreparedImage {
  readonly pixels: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly meta: Required<Pick<ImageMeta, 'scale' | 'originalHeight' | 'originalWidth' | 'resizedHeight' | 'resizedWidth'>>;
}

export interface DetectImageOptions {
  /** Test size; default: the model's (`net.config.testSize`). */
  testSize?: Required<TestSizeConfig>;
  /** Keep detections whose reported (rounded) score is at least this. Default 0: all the model gives (≥ its postprocess.scoreThresh). */
  scoreThreshold?: number;
}

const round = (v: number, scale: number): number => Math.round(v * scale) / scale;

/** The class index and name of each category id the model can output. */
export function categoryTable(config: Pick<RetinaNetConfig, 'categories'>): (categoryId: number) => { index: number; name: string } {
  const categories: readonly Category[] = config.categories ?? [];
  const byId = new Map(categories.map((c, index) => [c.id, { index, name: c.name }]));
  return (id) => byId.get(id) ?? { index: id, name: `class ${id}` };
}

/** `image` resized to the test size (shorter side, capped longer side) and padded with zeros to the model's size multiple. */
export function prepareImage(image: RgbImage, sizeMultiple: number, testSize: Required<TestSizeConfig>): PreparedImage {
  if (!(image.width >= 1 && image.height >= 1)) throw new RetinaNetInputError('prepareImage', `image needs a width and height ≥ 1 (got ${image.width}×${image.height})`);
  const original: Size = { height: image.height, width: image.width };
  const scale = resizeScale(original, testSize.shortSide, testSize.maxSize);
  const resized = resizeRgb(image, scaledSize(original, scale));
  const padded = paddedSize(resized, sizeMultiple);
  const pixels = new Float32Array(padded.height * padded.width * 3);
  const row = resized.width * 3;
  for (let y = 0; y < resized.height; y++) pixels.set(resized.data.subarray(y * row, (y + 1) * row), y * padded.width * 3);
  return {
    pixels,
    height: padded.height,
    width: padded.width,
    meta: { scale, originalHeight: original.height, originalWidth: original.width, resizedHeight: resized.height, resizedWidth: resized.width },
  };
}

/** The detections whose reported score is at least `threshold` (what the page's slider and predict's --score-threshold keep). */
export function aboveThreshold<T extends { score: number }>(detections: readonly T[], threshold: number): T[] {
  return detections.filter((d) => d.score >= threshold);
}

/**
 * Detections of one decoded image, best first, boxes in its pixels rounded to 0.01 px, scores to 1e-4.
 * @param image RGB pixels after orientation, at their original size
 */
export async function detectImage(net: RetinaNet, image: RgbImage, options: DetectImageOptions = {}): Promise<ReportedDetection[]> {
  const input = prepareImage(image, net.sizeMultiple, options.testSize ?? net.config.testSize);
  const x = tf.tensor4d(input.pixels, [1, input.height, input.width, 3]);
  let found;
  try {
    [found] = await net.predict(x, [input.meta]);
  } finally {
    x.dispose();
  }
  const category = categoryTable(net.config);
  const reported = found
    .map(({ box, categoryId, score }): ReportedDetection => ({
      box: [round(box[0], BOX_DECIMALS), round(box[1], BOX_DECIMALS), round(box[2], BOX_DECIMALS), round(box[3], BOX_DECIMALS)],
      categoryId,
      category: category(categoryId).name,
      score: round(score, SCORE_DECIMALS),
    }))
    .sort((a, b) => b.score - a.score);
  return aboveThreshold(reported, options.scoreThreshold ?? 0);
}
