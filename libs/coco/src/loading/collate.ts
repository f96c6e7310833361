/** Batching: images padded (bottom/right, zeros) to a shared size and packed as NHWC float32. */
import type { PreparedSample, SampleTargets } from '../images/sample';
import { paddedSize } from '../images/transforms';

/** Targets of one image of a batch. */
export interface ImageTarget extends SampleTargets {
  /** Size of the image content inside the padded input. */
  resizedHeight: number;
  resizedWidth: number;
}

export interface Batch {
  /** [batchSize, height, width, 3] NHWC, RGB in 0..255 (not normalized: the model does that). */
  images: Float32Array;
  batchSize: number;
  /** Padded size shared by the batch: the largest image rounded up to `padMultiple`. */
  height: number;
  width: number;
  targets: ImageTarget[];
}

export function collate(samples: readonly PreparedSample[], padMultiple: number): Batch {
  const height = Math.max(...samples.map((s) => s.pixels.height));
  const width = Math.max(...samples.map((s) => s.pixels.width));
  const padded = paddedSize({ height, width }, padMultiple);
  const images = new Float32Array(samples.length * padded.height * padded.width * 3);
  samples.forEach((s, n) => copyPixels(s, images, n * padded.height * padded.width * 3, padded.width));
  return { images, batchSize: samples.length, height: padded.height, width: padded.width, targets: samples.map(toTarget) };
}

function copyPixels(s: PreparedSample, out: Float32Array, offset: number, paddedWidth: number): void {
  const { data, height, width } = s.pixels;
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const src = y * row;
    const dst = offset + y * paddedWidth * 3;
    for (let k = 0; k < row; k++) out[dst + k] = data[src + k];
  }
}

function toTarget(s: PreparedSample): ImageTarget {
  return {
    imageId: s.imageId,
    boxes: s.boxes,
    labels: s.labels,
    crowd: s.crowd,
    originalHeight: s.originalHeight,
    originalWidth: s.originalWidth,
    scale: s.scale,
    resizedHeight: s.pixels.height,
    resizedWidth: s.pixels.width,
    flipped: s.flipped,
  };
}
