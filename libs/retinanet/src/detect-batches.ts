/**
 * Runs a detector over batches (e.g. from @retina/coco's eval loader) and returns COCO results:
 * original image pixels, xywh, COCO category ids. Structural types only, so any loader whose batches
 * carry NHWC pixels and per-image size metadata works.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Detection, ImageMeta } from './postprocess';

export interface InferenceBatch<T extends ImageMeta & { imageId: number } = ImageMeta & { imageId: number }> {
  /** [batchSize, height, width, 3] NHWC, RGB 0..255. */
  images: Float32Array;
  batchSize: number;
  height: number;
  width: number;
  targets: readonly T[];
}

/** One record of a COCO results file. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  /** [x, y, width, height] in original image pixels. */
  bbox: [number, number, number, number];
  score: number;
}

/** Detections per image of a batch; `metas` are the batch's targets (any extra fields they carry included). */
export interface Predictor<T extends ImageMeta = ImageMeta> {
  predict(images: tf.Tensor4D, metas: readonly T[]): Promise<Detection[][]>;
}

export async function detectAll<T extends ImageMeta & { imageId: number }>(
  net: Predictor<T>,
  batches: AsyncIterable<InferenceBatch<T>>,
  onBatch?: (images: number) => void,
): Promise<CocoDetection[]> {
  const results: CocoDetection[] = [];
  for await (const batch of batches) {
    const x = tf.tensor4d(batch.images, [batch.batchSize, batch.height, batch.width, 3]);
    let dets: Detection[][];
    try {
      dets = await net.predict(x, batch.targets);
    } finally {
      x.dispose();
    }
    dets.forEach((perImage, i) => {
      for (const d of perImage) {
        const [x1, y1, x2, y2] = d.box;
        results.push({ image_id: batch.targets[i].imageId, category_id: d.categoryId, bbox: [x1, y1, x2 - x1, y2 - y1], score: d.score });
      }
    });
    onBatch?.(batch.batchSize);
  }
  return results;
}
