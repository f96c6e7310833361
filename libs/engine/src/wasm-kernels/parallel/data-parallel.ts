/**
 * Data-parallel gradients over worker threads: the calling thread and N workers each hold a replica of
 * the model (each worker its own tfjs engine, one core each); a step splits the batch into shards,
 * computes each shard's gradients in parallel, and returns their weighted mean. Weights travel from
 * the calling thread's replica to the workers before every step, so the optimizer runs once, on the
 * calling thread, on the mean gradient — exactly as single-threaded training would.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { Collective, abortCollective, collectiveBuffers, resetCollective, type CollectiveBuffers } from './collective';
import { DataParallelError } from './errors';
import { layoutOf, offsets, sharedFloats, writeValues, type Layout } from './layout';
import type { WorkerBackend } from './messages';
import { ReplicaWorker } from './replica-worker';
import { shardGradients } from './shard-step';
import type { ParallelGradients, Replica, ReplicaSpec, ShardResult } from './types';

export interface DataParallelOptions {
  /** Worker threads, each with a replica; a step takes up to workers + 1 shards. Default: cores − 1. */
  workers?: number;
  /** Engine of the workers. Default: the calling thread's current backend ('wasm' or 'cpu'). */
  backend?: WorkerBackend;
}

/** Default worker count: one per core beside the calling thread's. */
export const defaultWorkers = (): number => Math.max(0, availableParallelism() - 1);

function workerBackend(requested: WorkerBackend | undefined): WorkerBackend {
  const backend = requested ?? tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') throw new DataParallelError(`workers run on 'wasm' or 'cpu' (got backend '${backend}')`);
  return backend;
}

/**
 * Σ wᵢ gᵢ / Σ wᵢ for one variable, with the engine's own element-wise kernels (SIMD on wasm): g₀ is the
 * calling thread's gradient tensor, the others are read from the worker buffers at `start` (copied
 * into the engine once, then scaled and added).
 */
function weightedMean(local: tf.Tensor, parts: readonly Float32Array[], start: number, weights: readonly number[]): tf.Tensor {
  const total = weights.reduce((a, b) => a + b, 0);
  return tf.tidy(() => {
    let acc = tf.mul(local, weights[0] / total);
    parts.forEach((part, i) => {
      const g = tf.tensor(part.subarray(start, start + local.size), local.shape, 'float32');
      acc = tf.add(acc, tf.mul(g, weights[i + 1] / total));
    });
    return acc;
  });
}

export class DataParallel<Shard> {
  private readonly starts: number[];
  private running = false;

  private constructor(
    private readonly local: Replica<Shard>,
    layout: Layout,
    private readonly weights: Float32Array,
    private readonly workers: ReplicaWorker[],
    private readonly collective: CollectiveBuffers,
  ) {
    this.starts = offsets(layout).starts;
  }

  /**
   * Starts `options.workers` threads, each building a replica with `spec`, and checks that their
   * variables match `local`'s (order and shapes). Rejects with DataParallelError naming the worker.
   */
  static async start<Shard>(local: Replica<Shard>, spec: ReplicaSpec, options: DataParallelOptions = {}): Promise<DataParallel<Shard>> {
    const count = options.workers ?? defaultWorkers();
    if (!Number.isInteger(count) || count < 0) throw new DataParallelError(`workers must be an integer ≥ 0 (got ${count})`);
    const backend = workerBackend(options.backend);
    const trainable = layoutOf(local.trainable);
    const state = layoutOf(local.state ?? []);
    const weights = sharedFloats(offsets(trainable).total + offsets(state).total);
    const workers = Array.from({ length: count }, (_, i) => new ReplicaWorker(i + 1));
    const collective = collectiveBuffers(count + 1);
    const started = await Promise.allSettled(
      workers.map((w, i) => w.init({ type: 'init', spec, backend, trainable, state, weights, grads: sharedFloats(offsets(trainable).total), collective, rank: i + 1 })),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason;
    }
    return new DataParallel(local, trainable, weights, workers, collective);
  }

  /** Most shards one step takes: the workers plus the calling thread. */
  get maxShards(): number {
    return this.workers.length + 1;
  }

  /**
   * The weighted mean gradient of the shards' losses (see ShardLoss.weight): shard 0 on the calling
   * thread's replica, shard i on worker i, all at the calling replica's current weights.
   */
  async gradients(shards: readonly Shard[]): Promise<ParallelGradients> {
    if (shards.length < 1 || shards.length > this.maxShards) {
      throw new DataParallelError(`a step takes 1 to ${this.maxShards} shards (got ${shards.length})`);
    }
    if (this.running) throw new DataParallelError('gradients() is already running: await it before the next step');
    this.running = true;
    try {
      return await this.step(shards);
    } finally {
      this.running = false;
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async step(shards: readonly Shard[]): Promise<ParallelGradients> {
    const next = writeValues(this.local.trainable, this.weights);
    writeValues(this.local.state ?? [], this.weights, next);
    resetCollective(this.collective);
    const size = shards.length;
    const remote = Promise.allSettled(shards.slice(1).map((shard, i) => this.workers[i].step(shard, size)));
    let local: ReturnType<typeof shardGradients<Shard>>;
    try {
      // while the workers compute theirs; replicas meet in the collective's sums (synchronised batch norm)
      local = shardGradients(this.local, shards[0], size > 1 ? new Collective(this.collective, 0, size) : undefined);
    } catch (e) {
      abortCollective(this.collective);
      await remote; // the workers must be done before the next step rewrites the weights
      throw e;
    }
    const results = await remote;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      tf.dispose(local.grads);
      throw failed.reason;
    }
    const all = [local.result, ...results.map((r) => (r as PromiseFulfilledResult<ShardResult>).value)];
    const totalWeight = all.reduce((sum, r) => sum + r.weight, 0);
    return { grads: this.combine(local.grads, all), loss: all.reduce((sum, r) => sum + r.weight * r.loss, 0) / totalWeight, shards: all };
  }

  private combine(localGrads: tf.Tensor[], results: readonly ShardResult[]): tf.NamedTensorMap {
    const parts = this.workers.slice(0, results.length - 1).map((w) => w.grads);
    const weights = results.map((r) => r.weight);
    const out: tf.NamedTensorMap = {};
    this.local.trainable.forEach((v, j) => {
      out[v.name] = weightedMean(localGrads[j], parts, this.starts[j], weights);
    });
    tf.dispose(localGrads);
    return out;
  }
}
