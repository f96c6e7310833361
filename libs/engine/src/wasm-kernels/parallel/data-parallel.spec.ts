/**
 * Data-parallel gradients (the calling thread + 1 worker thread, each a wasm replica) against an
 * independent single-thread computation: the gradient of the whole batch's loss on one replica. Equal
 * to 1e-5 relative for a loss averaged over images (shard weight = images) and for a loss divided by a
 * count (weight = that count), also after the caller changes its weights and state (they must reach
 * the worker). Errors name the worker and what was wrong.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerWasmTrainingKernels } from '../../training-kernels';
import { createReplica, type ConvReplicaOptions, type ConvShard } from './__fixtures__/conv-replica';
import { DataParallel, DataParallelError, type Replica } from './index';
import { maxRelativeError } from '../../testing';

const MODULE = join(__dirname, '__fixtures__', 'conv-replica.ts');
const REL_TOL = 1e-5;

function shard(batch: number, seed: number): ConvShard {
  const images = Float32Array.from({ length: batch * 8 * 8 * 3 }, (_, i) => Math.cos(seed + i * 0.37));
  const targets = Float32Array.from({ length: batch * 2 }, (_, i) => (Math.sin(seed * 3 + i) > 0.2 ? 1 : 0));
  return { images, targets, batch };
}

function concat(a: ConvShard, b: ConvShard): ConvShard {
  return { images: Float32Array.from([...a.images, ...b.images]), targets: Float32Array.from([...a.targets, ...b.targets]), batch: a.batch + b.batch };
}

/** Gradients of the whole batch on one replica, by variable name. */
function wholeBatchGrads(replica: Replica<ConvShard>, whole: ConvShard): Record<string, Float32Array> {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => replica.loss(whole).loss, [...replica.trainable]);
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
  });
}

async function expectWholeBatchGradients(dp: DataParallel<ConvShard>, local: Replica<ConvShard>, a: ConvShard, b: ConvShard): Promise<void> {
  const expected = wholeBatchGrads(local, concat(a, b));
  const { grads, shards } = await dp.gradients([a, b]);
  expect(shards.map((s) => s.weight)).toHaveLength(2);
  expect(Object.keys(grads).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, g] of Object.entries(grads)) expect(maxRelativeError(g.dataSync() as Float32Array, expected[name])).toBeLessThan(REL_TOL);
  tf.dispose(grads);
}

describe('DataParallel (calling thread + 1 wasm worker)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  const run = async (options: ConvReplicaOptions, body: (dp: DataParallel<ConvShard>, local: Replica<ConvShard>) => Promise<void>): Promise<void> => {
    const local = createReplica(options);
    const dp = await DataParallel.start(local, { module: MODULE, options }, { workers: 1 });
    try {
      await body(dp, local);
    } finally {
      await dp.close();
      tf.dispose([...local.trainable, ...(local.state ?? [])]);
    }
  };

  it('loss averaged over images (weight = images): the mean gradient is the whole batch’s, also after the weights and state change', () =>
    run({ channels: 4, normalize: 'images' }, async (dp, local) => {
      const [a, b] = [shard(2, 1), shard(3, 2)];
      await expectWholeBatchGradients(dp, local, a, b);
      tf.tidy(() => {
        local.trainable.forEach((v) => v.assign(tf.mul(v, -1.5)));
        local.state?.[0].assign(tf.fill([4], 0.3));
      });
      await expectWholeBatchGradients(dp, local, a, b);
    }));

  it('loss divided by positives (weight = max(1, positives)): the mean gradient is the whole batch’s; values and loss reported per shard', () =>
    run({ channels: 3, normalize: 'positives' }, async (dp, local) => {
      const [a, b] = [shard(2, 5), shard(2, 9)];
      const positives = (s: ConvShard) => s.targets.filter((t) => t > 0).length;
      await expectWholeBatchGradients(dp, local, a, b);
      const { grads, shards, loss } = await dp.gradients([a, b]);
      tf.dispose(grads);
      expect(shards.map((s) => s.values.positives)).toEqual([positives(a), positives(b)]);
      expect(shards.map((s) => s.weight)).toEqual([Math.max(1, positives(a)), Math.max(1, positives(b))]);
      const errSum = shards[0].values.err + shards[1].values.err;
      expect(Math.abs(loss - errSum / (shards[0].weight + shards[1].weight))).toBeLessThan(1e-5 * Math.abs(loss));
    }));

  it('one shard runs on the calling thread alone; more shards than threads, or overlapping steps, are errors', () =>
    run({ channels: 2, normalize: 'images' }, async (dp, local) => {
      const a = shard(2, 3);
      const expected = wholeBatchGrads(local, a);
      const { grads } = await dp.gradients([a]);
      for (const [name, g] of Object.entries(grads)) expect(maxRelativeError(g.dataSync() as Float32Array, expected[name])).toBeLessThan(REL_TOL);
      tf.dispose(grads);
      await expect(dp.gradients([a, a, a])).rejects.toThrow(/a step takes 1 to 2 shards \(got 3\)/);
      expect(dp.maxShards).toBe(2);
      const first = dp.gradients([a, a]);
      await expect(dp.gradients([a])).rejects.toThrow(/gradients\(\) is already running/);
      tf.dispose((await first).grads);
    }));

  it('a worker whose loss throws rejects the step naming the worker, and the next step works; no tensor leaks', () =>
    run({ channels: 2, normalize: 'images', failOnBatch: 1 }, async (dp, local) => {
      await expect(dp.gradients([shard(2, 1), shard(1, 2)])).rejects.toThrow(/data-parallel training: worker 1: refusing a shard of 1 images/);
      const before = tf.memory().numTensors;
      await expectWholeBatchGradients(dp, local, shard(2, 1), shard(2, 2));
      expect(tf.memory().numTensors).toBe(before);
    }));

  it('a worker thread that dies fails this step and every later one, naming the worker and its exit code', () =>
    run({ channels: 2, normalize: 'images', exitOnBatch: 1 }, async (dp) => {
      await expect(dp.gradients([shard(2, 1), shard(1, 2)])).rejects.toThrow(/data-parallel training: worker 1: exited with code 3/);
      await expect(dp.gradients([shard(2, 1), shard(2, 2)])).rejects.toThrow(/worker 1: exited with code 3/);
    }));

  it('start rejects a replica whose variables differ from the caller’s, and a module without the factory', async () => {
    const local = createReplica({ channels: 4, normalize: 'images' });
    await expect(DataParallel.start(local, { module: MODULE, options: { channels: 5, normalize: 'images' } }, { workers: 1 })).rejects.toThrow(
      /worker 1: .*trainable variable 0 has shape \[3,3,3,5\], the main thread's is \[3,3,3,4\]/,
    );
    await expect(DataParallel.start(local, { module: MODULE, exportName: 'nope' }, { workers: 1 })).rejects.toThrow(DataParallelError);
    await expect(DataParallel.start(local, { module: MODULE }, { workers: -1 })).rejects.toThrow(/workers must be an integer ≥ 0 \(got -1\)/);
    tf.dispose([...local.trainable, ...(local.state ?? [])]);
  });
});

describe('DataParallel on the cpu engine (calling thread + 1 cpu worker)', () => {
  let previous = '';
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('the mean gradient is the whole batch’s, also after the weights change (weights and gradients read from the cpu engine’s arrays)', async () => {
    const options: ConvReplicaOptions = { channels: 3, normalize: 'positives' };
    const local = createReplica(options);
    const dp = await DataParallel.start(local, { module: MODULE, options }, { workers: 1 });
    try {
      await expectWholeBatchGradients(dp, local, shard(2, 4), shard(1, 7));
      tf.tidy(() => local.trainable.forEach((v) => v.assign(tf.add(v, 0.25))));
      await expectWholeBatchGradients(dp, local, shard(2, 4), shard(1, 7));
    } finally {
      await dp.close();
      tf.dispose([...local.trainable, ...(local.state ?? [])]);
    }
  });
});
