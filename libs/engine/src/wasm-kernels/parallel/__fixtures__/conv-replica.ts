/**
 * A small replica for the data-parallel tests: conv 3×3 → ReLU → global mean → dense, with a squared
 * error loss either averaged over the shard's images (weight = images) or summed and divided by the
 * shard's count of "positive" targets (weight = max(1, positives), as RetinaNet normalizes).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Replica, ShardLoss } from '../types';

export interface ConvShard {
  /** [batch, 8, 8, 3] */
  images: Float32Array;
  /** [batch, 2] */
  targets: Float32Array;
  batch: number;
}

export interface ConvReplicaOptions {
  channels: number;
  normalize: 'images' | 'positives';
  /** Throw from loss() for shards of this batch size (to test error reporting). */
  failOnBatch?: number;
  /** End the thread (process.exit(3) in a worker) for shards of this batch size. */
  exitOnBatch?: number;
}

const values = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.5);

export function createReplica(o: ConvReplicaOptions): Replica<ConvShard> {
  const kernel = tf.variable(tf.tensor4d(values(9 * 3 * o.channels, 1), [3, 3, 3, o.channels]));
  const dense = tf.variable(tf.tensor2d(values(o.channels * 2, 2), [o.channels, 2]));
  const running = tf.variable(tf.zeros([o.channels]), false);
  return {
    trainable: [kernel, dense],
    state: [running],
    loss(shard): ShardLoss {
      if (shard.batch === o.failOnBatch) throw new Error(`refusing a shard of ${shard.batch} images`);
      if (shard.batch === o.exitOnBatch) process.exit(3);
      const x = tf.tensor4d(shard.images, [shard.batch, 8, 8, 3]);
      const features = tf.mean(tf.relu(tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same')), [1, 2]);
      const y = tf.add(tf.matMul(features, dense), tf.slice(running, 0, 2));
      const targets = tf.tensor2d(shard.targets, [shard.batch, 2]);
      const err = tf.sum(tf.square(tf.sub(y, targets)));
      if (o.normalize === 'images') return { loss: tf.div(err, shard.batch), weight: shard.batch, values: { images: shard.batch } };
      const positives = shard.targets.filter((t) => t > 0).length;
      return { loss: tf.div(err, Math.max(1, positives)), weight: Math.max(1, positives), values: { positives, err: err as tf.Scalar } };
    },
  };
}
