/** Messages between the main thread and a replica worker. The float buffers are shared, not copied. */
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
}

export interface StepMessage {
  type: 'step';
  shard: unknown;
}

export type ToWorker = InitMessage | StepMessage;

export type FromWorker = { type: 'ready' } | { type: 'done'; result: ShardResult } | { type: 'error'; message: string };
