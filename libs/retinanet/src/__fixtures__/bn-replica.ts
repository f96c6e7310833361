/**
 * A small replica with two batch-norm layers for the synchronised-BN tests: conv 3×3 + BN + ReLU →
 * conv 1×1 + BN → global mean → dense, squared error summed and divided by the shard's positives
 * (weight = max(1, positives), as RetinaNet normalizes). Loaded by the data-parallel workers by path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Replica, ShardLoss } from '@retina/engine/node';
import { ConvNorm, ParamStore, withCrossReplica } from '@retina/fpn';

export interface BnShard {
  /** [batch, 8, 8, 3] */
  images: Float32Array;
  /** [batch, 2] */
  targets: Float32Array;
  batch: number;
}

export interface BnReplica extends Replica<BnShard> {
  conv1: ConvNorm;
  conv2: ConvNorm;
  dense: tf.Variable;
}

export function createReplica(): BnReplica {
  const store = new ParamStore(3);
  const conv1 = new ConvNorm(store, 'c1', { kernel: 3, inChannels: 3, outChannels: 4, norm: 'bn' });
  const conv2 = new ConvNorm(store, 'c2', { kernel: 1, inChannels: 4, outChannels: 4, norm: 'bn' });
  const dense = store.create('dense', [4, 2], { kind: 'normal', std: 0.5 }, 'kernel', true);
  // gamma and beta away from 1 and 0, so that their gradients matter
  tf.tidy(() => {
    conv1.bn!.gamma.assign(tf.tensor1d([1.5, 0.5, 1, 2]));
    conv1.bn!.beta.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]));
    conv2.bn!.gamma.assign(tf.tensor1d([0.7, 1.2, 0.9, 1.1]));
  });
  return {
    conv1,
    conv2,
    dense,
    trainable: store.trainable(),
    state: store.state(),
    loss(shard, sums): ShardLoss {
      const positives = shard.targets.filter((t) => t > 0).length;
      const weight = Math.max(1, positives);
      const sync = sums ? { sum: (v: Float64Array) => sums.sum(v), lossWeight: weight } : undefined;
      const x = tf.tensor4d(shard.images, [shard.batch, 8, 8, 3]);
      const h = withCrossReplica(sync, () => conv2.apply(conv1.apply(x, true, true), true, false));
      const y = tf.matMul(tf.mean(h, [1, 2]), dense);
      const err = tf.sum(tf.square(tf.sub(y, tf.tensor2d(shard.targets, [shard.batch, 2]))));
      return { loss: tf.div(err, weight), weight };
    },
  };
}
