/**
 * Synchronised batch norm under the data-parallel trainer: 2 replicas × 2 images must normalise, forward
 * and backward, exactly as 1 replica × 4 images. The reference is computed here independently: plain
 * tfjs ops (tf.moments) and automatic differentiation over the whole batch on one thread, with the
 * whole batch's loss normalizer — not our batch-norm kernel. Also: the running statistics after the
 * step, and the detector itself (2 × 2 images vs 4 images on one thread).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { DataParallel, registerWasmTrainingKernels } from '@retina/engine/node';
import { BN_EPS } from '@retina/fpn';
import { createReplica, type BnShard } from './__fixtures__/bn-replica';
import { REPLICA_MODULE, createRetinaNet, replicaOf, splitBatch, type TrainShard } from './node';
import { maxRelativeError } from '@retina/engine/testing';

const REL_TOL = 1e-5;

function shard(batch: number, seed: number): BnShard {
  const images = Float32Array.from({ length: batch * 8 * 8 * 3 }, (_, i) => Math.cos(seed + i * 0.37) * (1 + seed) + seed * 0.5);
  const targets = Float32Array.from({ length: batch * 2 }, (_, i) => (Math.sin(seed * 3 + i) > -0.3 ? 1 : 0));
  return { images, targets, batch };
}

const concat = (a: BnShard, b: BnShard): BnShard => ({
  images: Float32Array.from([...a.images, ...b.images]),
  targets: Float32Array.from([...a.targets, ...b.targets]),
  batch: a.batch + b.batch,
});

/** y = γ (x − μ) / √(σ² + ε) + β with the batch moments, by tf.moments (autodiff'd). */
function referenceBn(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor } {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS))), gamma), beta) as tf.Tensor4D;
  return { y, mean, variance };
}

describe('synchronised batch norm (calling thread + 1 wasm worker)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('2 replicas × 2 images give the whole batch’s loss, gradients and running statistics (1e-5), with unequal loss weights', async () => {
    const local = createReplica();
    const dp = await DataParallel.start(local, { module: join(__dirname, '__fixtures__', 'bn-replica.ts') }, { workers: 1 });
    try {
      const [a, b] = [shard(2, 1), shard(2, 4)];
      const whole = concat(a, b);
      const positives = whole.targets.filter((t) => t > 0).length;
      expect(a.targets.filter((t) => t > 0).length).not.toBe(b.targets.filter((t) => t > 0).length);
      // the reference: one thread, the whole batch, plain ops
      const stats: number[][] = [];
      const reference = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const x = tf.tensor4d(whole.images, [4, 8, 8, 3]);
          const c1 = referenceBn(tf.conv2d(x, local.conv1.conv.kernel as tf.Tensor4D, 1, 'same'), local.conv1.bn!.gamma, local.conv1.bn!.beta);
          const c2 = referenceBn(tf.conv2d(tf.relu(c1.y), local.conv2.conv.kernel as tf.Tensor4D, 1, 'same'), local.conv2.bn!.gamma, local.conv2.bn!.beta);
          [c1, c2].forEach((c) => stats.push([...c.mean.dataSync()], [...c.variance.dataSync()]));
          const y = tf.matMul(tf.mean(c2.y, [1, 2]), local.dense);
          return tf.div(tf.sum(tf.square(tf.sub(y, tf.tensor2d(whole.targets, [4, 2])))), positives) as tf.Scalar;
        }, [...local.trainable]);
        return { loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync()])) };
      });
      const { grads, loss } = await dp.gradients([a, b]);
      expect(Math.abs(loss - reference.loss) / reference.loss).toBeLessThan(REL_TOL);
      expect(Object.keys(grads).sort()).toEqual(Object.keys(reference.grads).sort());
      for (const [name, g] of Object.entries(grads)) {
        const err = maxRelativeError(g.dataSync(), reference.grads[name]);
        if (err >= REL_TOL) throw new Error(`${name}: relative error ${err}`);
      }
      tf.dispose(grads);
      // running statistics (kept by the calling thread's replica): momentum 0.1 from (0, 1), unbiased variance (n = 4·8·8)
      const n = 4 * 8 * 8;
      const running = [local.conv1.bn!, local.conv2.bn!].flatMap((bn) => [bn.mean.dataSync(), bn.variance.dataSync()]);
      stats.forEach((s, i) => {
        const want = i % 2 === 0 ? s.map((m) => 0.1 * m) : s.map((v) => 0.9 + 0.1 * v * (n / (n - 1)));
        expect(maxRelativeError(running[i], want)).toBeLessThan(REL_TOL);
      });
    } finally {
      await dp.close();
      tf.dispose([...local.trainable, ...(local.state ?? [])]);
    }
  });

  it('the detector: 2 replicas × 2 images equal one replica × 4 images (batch-statistics BN in the backbone)', async () => {
    const net = createRetinaNet({ numClasses: 2, seed: 5, backbone: { depth: 'narrow', width: 8, norm: 'bn' }, fpn: { channels: 16 }, head: { convs: 1, channels: 16 } });
    const local = replicaOf(net);
    const dp = await DataParallel.start(local, { module: REPLICA_MODULE, options: { config: net.config } }, { workers: 1 });
    try {
      const size = 128;
      const images = Float32Array.from({ length: 4 * size * size * 3 }, (_, i) => 128 + 100 * Math.sin(i * 0.013) * Math.cos(i * 0.0007));
      const targets = [0, 1, 2, 3].map((k) => ({ boxes: new Float32Array([10 + 5 * k, 12, 60 + 9 * k, 70 + 4 * k, 70, 64 - k, 120, 118]), labels: new Int32Array([k % 2, 1]) }));
      const whole: TrainShard = { images, batch: 4, height: size, width: size, targets };
      const before = tf.memory().numTensors;
      const reference = tf.tidy(() => {
        const x = tf.tensor4d(images, [4, size, size, 3]);
        const { value, grads } = tf.variableGrads(() => net.computeLosses(x, targets, { training: true }).total, [...local.trainable]);
        return { loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync()])) };
      });
      const { grads, loss } = await dp.gradients(splitBatch(whole, 2));
      expect(Math.abs(loss - reference.loss) / reference.loss).toBeLessThan(REL_TOL);
      let worst = 0;
      for (const [name, g] of Object.entries(grads)) worst = Math.max(worst, maxRelativeError(g.dataSync(), reference.grads[name]));
      expect(worst).toBeLessThan(1e-4);
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await dp.close();
      net.dispose();
    }
  });

  it('a frozen backbone with weights from elsewhere (pretrained, --init-from): the workers compute with those weights, not their seeded initial ones', async () => {
    const net = createRetinaNet({ numClasses: 2, seed: 5, backbone: { depth: 'narrow', width: 8, norm: 'bn' }, fpn: { channels: 16 }, head: { convs: 1, channels: 16 } });
    // weights loaded from elsewhere: every backbone variable moved away from its seeded initial value
    net.variables.filter((v) => v.name.startsWith('backbone/')).forEach((v, i) => tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.2, 'float32', i)))));
    const local = replicaOf(net, true);
    const dp = await DataParallel.start(local, { module: REPLICA_MODULE, options: { config: net.config, freezeBackbone: true } }, { workers: 1 });
    try {
      const size = 128;
      const images = Float32Array.from({ length: 2 * size * size * 3 }, (_, i) => 128 + 100 * Math.sin(i * 0.017) * Math.cos(i * 0.0009));
      const targets = [0, 1].map((k) => ({ boxes: new Float32Array([10 + 5 * k, 12, 60 + 9 * k, 70 + 4 * k]), labels: new Int32Array([k]) }));
      const reference = tf.tidy(() => net.computeLosses(tf.tensor4d(images, [2, size, size, 3]), targets, { training: true }).total.dataSync()[0]);
      const { grads, loss } = await dp.gradients(splitBatch({ images, batch: 2, height: size, width: size, targets }, 2));
      expect(Object.keys(grads).some((n) => n.startsWith('backbone/'))).toBe(false);
      // float32 sums over the shards: ~1e-5; a worker on its seeded initial backbone is off by ~5e-3
      expect(Math.abs(loss - reference) / reference).toBeLessThan(1e-4);
      tf.dispose(grads);
    } finally {
      await dp.close();
      net.dispose();
    }
  });
});
