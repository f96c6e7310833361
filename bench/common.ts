/** Helpers shared by the benchmark scripts. */
import * as tf from '@tensorflow/tfjs-core';
import type { RetinaNet, RetinaNetConfigInput, TrainShard } from '@retina/retinanet/node';

/** Median of the samples (for an even count, the upper of the two middle values). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** The demo's detector: narrow ResNet (width 32), FPN 64, two 64-channel head convs, one class. */
export const NARROW_DETECTOR: RetinaNetConfigInput = { numClasses: 1, seed: 0, backbone: { depth: 'narrow', width: 32 }, fpn: { channels: 64 }, head: { convs: 2, channels: 64 } };

/** `batch` synthetic size×size images (a smooth pattern, 0..255) with one box each. */
export function syntheticBatch(size: number, batch: number): TrainShard {
  const per = size * size * 3;
  const images = Float32Array.from({ length: batch * per }, (_, i) => 127.5 * (1 + Math.sin(i * 0.013)));
  const targets = Array.from({ length: batch }, () => ({ boxes: Float32Array.from([20, 30, size / 2, size / 2 + 20]), labels: Int32Array.from([0]) }));
  return { images, batch, height: size, width: size, targets };
}

/** A single-thread train step of `net` on `data` (whose images are `x`): loss and gradients, the loss read back. */
export function gradientStep(net: RetinaNet, x: tf.Tensor4D, data: TrainShard): () => void {
  return () => {
    const { value, grads } = tf.variableGrads(() => net.computeLosses(x, data.targets, { training: true }).total, net.variables);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
}
