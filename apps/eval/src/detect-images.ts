/**
 * Inference over a COCO split, shared by `--model` in one process and by the queue's workers, so that
 * both run the very same batches: the images in dataset order (after `--image-ids` / `--max-images`),
 * cut into batches of `batchSize` from the first one on, each padded to its own largest image.
 */
import { createEvalLoader, type CocoDataset, type DatasetImage } from '@retina/coco';
import type { CocoResult } from '@retina/coco-eval';
import { detectAll, type RetinaNet } from '@retina/retinanet/node';

/** Which images of the split run, and how. */
export interface DetectSettings {
  readonly batchSize: number;
  /** Test-time shorter side and longer-side cap (px). */
  readonly shortSide: number;
  readonly maxSize: number;
  /** Only these image ids (kept in dataset order). */
  readonly imageIds?: readonly number[];
  /** Only the first N images. */
  readonly maxImages?: number;
}

/** The images a run evaluates, in the order it runs them (needs no model). */
export function evaluationImages(dataset: CocoDataset, s: Pick<DetectSettings, 'imageIds' | 'maxImages' | 'batchSize'>): readonly DatasetImage[] {
  return createEvalLoader(dataset, { batchSize: s.batchSize, imageIds: s.imageIds, maxImages: s.maxImages }).images;
}

/**
 * Runs `net` over the selected images; COCO results (xywh, original category ids) image after image,
 * each image's detections in the order the detector gives them.
 */
export async function detectImages(
  net: RetinaNet,
  dataset: CocoDataset,
  s: DetectSettings,
  hooks: { onBatch?: (images: number) => void; onWarning?: (message: string) => void } = {},
): Promise<CocoResult[]> {
  const loader = createEvalLoader(dataset, {
    batchSize: s.batchSize,
    shortSide: s.shortSide,
    maxSize: s.maxSize,
    padMultiple: net.sizeMultiple,
    maxImages: s.maxImages,
    imageIds: s.imageIds,
    onWarning: hooks.onWarning,
  });
  return detectAll(net, loader.epoch(0), hooks.onBatch);
}
