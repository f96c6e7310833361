/** Messages between the main thread and a replica worker. The float buffers are shared, not copied. */
import type { CollectiveBuffers } from './collective';
import type { Layout } from './layout';
import type { ReplicaSpec, ShardResult } from './types';

export type WorkerBackend = 'wasm' | 'cpu';

export interface InitMessage {
  type: 'init';
  spec: ReplicaSpec;
  backend: WorkerBackend;
  trainable: Layout;
  state: Layout;
  /** Trainable then state values, written by the main thread before each step. */
  weights: Float32Array;
  /** This worker's gradients, trainable order. */
  grads: Float32Array;
  /** Shared memory of the replicas' sums (synchronised batch norm); this worker is rank `rank`. */
  collective: CollectiveBuffers;
  rank: number;
}

export interface StepMessage {
  type: 'step';
  shard: unknown;
  /** Replicas taking part in this step (ranks 0..size−1). */
  size: number;
}

export type ToWorker = InitMessage | StepMessage;

export type FromWorker = { type: 'ready' } | { type: 'done'; result: ShardResult } | { type: 'error'; message: string };
