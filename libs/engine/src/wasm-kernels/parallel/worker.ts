/**
 * Worker-thread entry of the data-parallel trainer: builds a replica with the module named in the
 * init message, then for every step loads the shared weights, computes its shard's gradients and
 * writes them to its shared gradient buffer.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerTrainingKernels } from '../../training-kernels';
import { Collective, abortCollective } from './collective';
import { assignValues, layoutMismatch, layoutOf, writeValues } from './layout';
import type { FromWorker, InitMessage, ToWorker } from './messages';
import { shardGradients } from './shard-step';
import type { Replica, ReplicaFactory } from './types';

interface Ready {
  replica: Replica<unknown>;
  init: InitMessage;
}

const port = parentPort;
if (!port) throw new Error('parallel/worker must run in a worker thread (started by DataParallel.start)');

async function build(init: InitMessage): Promise<Ready> {
  await tf.setBackend(init.backend);
  registerTrainingKernels(init.backend);
  const name = init.spec.exportName ?? 'createReplica';
  const factory = (createRequire(__filename)(init.spec.module) as Record<string, unknown>)[name];
  if (typeof factory !== 'function') throw new Error(`${init.spec.module} has no function export '${name}'`);
  const replica = await (factory as ReplicaFactory<unknown>)(init.spec.options);
  const mismatch = layoutMismatch(init.trainable, layoutOf(replica.trainable), 'trainable') ?? layoutMismatch(init.state, layoutOf(replica.state ?? []), 'state');
  if (mismatch) throw new Error(`the replica built by ${init.spec.module}#${name} differs from the main thread's: ${mismatch}`);
  return { replica, init };
}

function step({ replica, init }: Ready, shard: unknown, size: number): FromWorker {
  const next = assignValues(replica.trainable, init.weights);
  assignValues(replica.state ?? [], init.weights, next);
  const sums = size > 1 ? new Collective(init.collective, init.rank, size) : undefined;
  const { grads, result } = shardGradients(replica, shard, sums);
  writeValues(grads, init.grads);
  tf.dispose(grads);
  return { type: 'done', result };
}

let ready: Ready | undefined;
const reply = (m: FromWorker): void => port.postMessage(m);
const failure = (e: unknown): FromWorker => ({ type: 'error', message: e instanceof Error ? e.message : String(e) });

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    build(m).then(
      (r) => {
        ready = r;
        reply({ type: 'ready' });
      },
      (e: unknown) => reply(failure(e)),
    );
    return;
  }
  try {
    if (!ready) throw new Error('step before init');
    reply(step(ready, m.shard, m.size));
  } catch (e) {
    if (ready) abortCollective(ready.init.collective);
    reply(failure(e));
  }
});
