/** One shard's loss and gradients on one replica — the same code on the main thread and in workers. */
import * as tf from '@tensorflow/tfjs-core';
import { DataParallelError } from './errors';
import type { Replica, ReplicaSums, ShardLoss, ShardResult } from './types';

function readValues(values: ShardLoss['values']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(values ?? {})) out[key] = typeof v === 'number' ? v : v.dataSync()[0];
  return out;
}

/**
 * Gradients of `replica.loss(shard)` w.r.t. `replica.trainable`, in that order (zeros for a variable
 * the loss does not reach). The caller disposes the gradients.
 */
export function shardGradients<Shard>(replica: Replica<Shard>, shard: Shard, sums?: ReplicaSums): { grads: tf.Tensor[]; result: ShardResult } {
  let weight = Number.NaN;
  let values: Record<string, number> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = replica.loss(shard, sums);
    weight = out.weight;
    values = readValues(out.values);
    return out.loss;
  }, [...replica.trainable]);
  const loss = value.dataSync()[0];
  value.dispose();
  const ordered = replica.trainable.map((v) => grads[v.name] ?? tf.zerosLike(v));
  if (!(Number.isFinite(weight) && weight > 0)) {
    tf.dispose(ordered);
    throw new DataParallelError(`a shard's loss weight must be a finite number > 0 (got ${weight})`);
  }
  return { grads: ordered, result: { loss, weight, values } };
}
