/**
 * The contract between a training loop and the data-parallel workers: what a model replica is, how
 * the workers build one, and what a step returns.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The loss of one shard of the batch. */
export interface ShardLoss {
  /** Scalar loss of the shard (its gradients are taken w.r.t. `Replica.trainable`). */
  loss: tf.Scalar;
  /**
   * The shard's share of the batch loss: the step's gradient is Σ weightᵢ · ∇lossᵢ / Σ weightᵢ. Use the
   * shard's image count for a loss averaged over images, or the normalizer of a loss divided by a count
   * (RetinaNet: max(1, positive anchors)) — then the result is the whole batch's gradient exactly. > 0.
   */
  weight: number;
  /** Numbers to report per shard (scalars are read once the gradients are computed). */
  values?: Record<string, number | tf.Scalar>;
}

/** A model replica: the same variables (order and shapes) in every thread, and its loss. */
export interface Replica<Shard> {
  /** Variables whose gradients are averaged (float32). */
  readonly trainable: readonly tf.Variable[];
  /** Other variables copied from the main thread's replica before every step (batch-norm running statistics). */
  readonly state?: readonly tf.Variable[];
  /**
   * Builds the loss of one shard; runs inside `tf.variableGrads`. `sums` is given when the step has
   * more than one shard: element-wise sums over the step's replicas (synchronised batch norm), to be
   * called by every replica the same number of times in the same order.
   */
  loss(shard: Shard, sums?: ReplicaSums): ShardLoss;
}

/** Element-wise sums over the replicas of a step (see Collective). */
export interface ReplicaSums {
  sum(values: Float64Array): Float64Array;
}

/** A module that exports `createReplica(options)` (or `exportName`), loaded by every worker. */
export interface ReplicaSpec {
  /** Absolute path of the module (`.js`, or `.ts` when running under tsx / jest). */
  module: string;
  /** Name of the factory export: `(options) => Replica | Promise<Replica>`. Default `createReplica`. */
  exportName?: string;
  /** Passed to the factory; must survive structured cloning (plain data). */
  options?: unknown;
}

export type ReplicaFactory<Shard> = (options: unknown) => Replica<Shard> | Promise<Replica<Shard>>;

/** One shard's outcome. */
export interface ShardResult {
  loss: number;
  weight: number;
  values: Record<string, number>;
}

/** A data-parallel step's outcome. */
export interface ParallelGradients {
  /** Weighted mean gradient per trainable variable of the main thread's replica, keyed by `variable.name`. The caller disposes them. */
  grads: tf.NamedTensorMap;
  /** Σ weightᵢ · lossᵢ / Σ weightᵢ. */
  loss: number;
  /** Per shard, in the order given (shard 0 ran on the calling thread). */
  shards: ShardResult[];
}
