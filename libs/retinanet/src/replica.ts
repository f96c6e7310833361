/**
 * The detector as a data-parallel replica (@retina/engine/node's DataParallel; Node only): the
 * trainer's thread and every worker thread build the same RetinaNet from its resolved config; a step
 * splits the batch by images into shards and averages the shards' gradients weighted by max(1,
 * positive anchors) — the loss's own normalizer, so that the mean is the whole batch's gradient (see
 * `splitBatch`).
 *
 * This module is loaded by the workers by path (`REPLICA_MODULE`), so it exports `createReplica`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Replica } from '@retina/engine/node';
import type { RetinaNetConfig } from './config';
import { RetinaNet } from './model';
import type { ImageTargets } from './targets';

/** Images of one shard: [batch, height, width, 3] RGB 0..255 and one target per image. */
export interface TrainShard {
  images: Float32Array;
  batch: number;
  height: number;
  width: number;
  targets: ImageTargets[];
}

export interface ReplicaOptions {
  /** The resolved config of the trainer's model (`net.config`). */
  config: RetinaNetConfig;
  /** Keep the backbone's variables out of the trained set (`backbone/…`). */
  freezeBackbone?: boolean;
}

/** Absolute path of this module, for `ReplicaSpec.module` (`.js` when built, `.ts` from sources). */
export const REPLICA_MODULE = __filename;

/** The variables a training run updates, in a fixed order (the same in every thread). */
export function trainedVariables(net: RetinaNet, freezeBackbone = false): tf.Variable[] {
  return net.variables.filter((v) => !freezeBackbone || !v.name.startsWith('backbone/'));
}

/**
 * A replica over an existing model (the trainer's thread). Its state — the values the workers receive
 * but do not train — is the batch-norm statistics and every variable left out of training: a frozen
 * backbone holds weights from elsewhere (pretrained, --init-from), not the workers' seeded initial ones.
 */
export function replicaOf(net: RetinaNet, freezeBackbone = false): Replica<TrainShard> {
  const trainable = trainedVariables(net, freezeBackbone);
  const trained = new Set(trainable);
  return {
    trainable,
    state: [...net.stateVariables, ...net.variables.filter((v) => !trained.has(v))],
    loss(s, sums) {
      const images = tf.tensor4d(s.images, [s.batch, s.height, s.width, 3]);
      const l = net.computeLosses(images, s.targets, { training: true, replicaSums: sums });
      images.dispose();
      return { loss: l.total, weight: Math.max(1, l.numPositive), values: { cls: l.cls, box: l.box, positives: l.numPositive } };
    },
  };
}

/** Worker entry: a fresh model with the trainer's config (its weights arrive before every step). */
export function createReplica(options: ReplicaOptions): Replica<TrainShard> {
  return replicaOf(new RetinaNet(options.config), options.freezeBackbone);
}

/**
 * Splits a batch into `parts` shards of consecutive images, sizes as equal as possible (no empty
 * shard: at most `batch` parts). Shards share the batch's padded height and width.
 */
export function splitBatch(batch: TrainShard, parts: number): TrainShard[] {
  const n = Math.max(1, Math.min(parts, batch.batch));
  const per = batch.height * batch.width * 3;
  const out: TrainShard[] = [];
  for (let p = 0, first = 0; p < n; p++) {
    const count = Math.floor(batch.batch / n) + (p < batch.batch % n ? 1 : 0);
    out.push({
      // a copy: a subarray would carry the whole batch's buffer through postMessage
      images: batch.images.slice(first * per, (first + count) * per),
      batch: count,
      height: batch.height,
      width: batch.width,
      targets: batch.targets.slice(first, first + count),
    });
    first += count;
  }
  return out;
}
