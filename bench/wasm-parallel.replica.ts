/**
 * Replica module for bench/wasm-parallel.bench.ts (loaded by every data-parallel worker): either the
 * detector (RetinaNet, loss normalized by positive anchors → shard weight max(1, positives)) or one
 * 3×3 conv layer (loss averaged over images → weight = images).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Replica } from '../libs/engine/src/wasm-kernels/parallel';
import { createReplica as createDetectorReplica, resolveRetinaNetConfig, type ImageTargets, type RetinaNetConfigInput } from '@retina/retinanet/node';

export interface ImageShard {
  /** [batch, size, size, channels] */
  images: Float32Array;
  batch: number;
  size: number;
  targets: ImageTargets[];
}

export type ReplicaOptions = { model: 'detector'; config: RetinaNetConfigInput } | { model: 'conv'; channels: number };

/** The trainer's own replica (@retina/retinanet), fed square shards. */
function detector(config: RetinaNetConfigInput): Replica<ImageShard> {
  const r = createDetectorReplica({ config: resolveRetinaNetConfig(config) });
  return { ...r, loss: (s) => r.loss({ images: s.images, batch: s.batch, height: s.size, width: s.size, targets: s.targets }) };
}

function conv(channels: number): Replica<ImageShard> {
  const w = tf.variable(tf.randomNormal([3, 3, channels, channels], 0, 0.05, 'float32', 1));
  return {
    trainable: [w],
    loss(s) {
      const x = tf.tensor4d(s.images, [s.batch, s.size, s.size, channels]);
      const y = tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
      return { loss: tf.div(tf.sum(tf.square(y)), s.batch), weight: s.batch };
    },
  };
}

export function createReplica(o: ReplicaOptions): Replica<ImageShard> {
  return o.model === 'detector' ? detector(o.config) : conv(o.channels);
}
