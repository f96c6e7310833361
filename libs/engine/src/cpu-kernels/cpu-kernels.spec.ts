/**
 * Our cpu Conv2DBackpropFilter and MaxPoolGrad against tfjs-backend-cpu's own kernels (an independent
 * implementation, run before ours replace them) on fixed and random shapes, strides, paddings and
 * filter sizes: dW within 1e-5 of max |stock| (only the summation order differs); max-pool dx routed
 * to the same elements (the first maximum, also in windows full of ReLU zeros), values within 1e-6
 * (overlapping windows sum dy in another order).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerCpuTrainingKernels } from '../training-kernels';
import { CPU_TRAINING_KERNELS } from './index';
import { seededValues } from '../testing';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}
interface PoolCase {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
  relu: boolean;
}

const pick = <T>(u: number, options: readonly T[]): T => options[Math.floor(((u + 1) / 2) * options.length)];

function randomConv(seed: number): ConvCase {
  const v = seededValues(10, 1000 + seed);
  const [fh, fw] = [pick(v[0], [1, 2, 3, 5]), pick(v[1], [1, 3, 5])];
  const cin = pick(v[2], [1, 3, 8]);
  const pads: Pad[] = ['same', 'valid', [[0, 0], [pick(v[3], [0, 1, 2]), 1], [pick(v[4], [0, 2]), 0], [0, 0]]];
  return {
    x: [pick(v[5], [1, 2]), Math.max(fh, pick(v[6], [4, 7, 12])), Math.max(fw, pick(v[7], [5, 9])), cin],
    filter: [fh, fw, cin, pick(v[8], [1, 4, 6])],
    strides: [pick(v[9], [1, 2, 3]), pick(v[3], [1, 2])],
    pad: pick(v[4], pads),
  };
}

function randomPool(seed: number): PoolCase {
  const v = seededValues(6, 2000 + seed);
  return { x: [pick(v[0], [1, 2]), pick(v[1], [4, 9, 13]), pick(v[2], [5, 8]), pick(v[3], [1, 3, 4])], size: pick(v[4], [2, 3]), stride: pick(v[5], [1, 2]), pad: pick(v[0], ['same', 'valid']), relu: v[3] > 0 };
}

const CONVS: ConvCase[] = [
  { x: [2, 10, 10, 8], filter: [3, 3, 8, 12], strides: [1, 1], pad: 'same' },
  { x: [1, 15, 15, 3], filter: [7, 7, 3, 8], strides: [2, 2], pad: 'same' },
  { x: [2, 9, 11, 5], filter: [3, 2, 5, 4], strides: [1, 2], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  ...Array.from({ length: 12 }, (_, i) => randomConv(i)),
];
const POOLS: PoolCase[] = [
  { x: [1, 16, 16, 4], size: 3, stride: 2, pad: 'same', relu: true },
  { x: [2, 7, 9, 3], size: 2, stride: 2, pad: 'valid', relu: false },
  ...Array.from({ length: 8 }, (_, i) => randomPool(i)),
];

/** dW of sum(conv2d(x, w) · r). */
function convDw(c: ConvCase, seed: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(c.x.reduce((a, b) => a * b), seed), c.x);
    const w = tf.tensor4d(seededValues(c.filter.reduce((a, b) => a * b), seed + 1), c.filter);
    const y = tf.conv2d(x, w, c.strides, c.pad);
    const r = tf.tensor(seededValues(y.size, seed + 2), y.shape);
    return tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, c.strides, c.pad), r)))(w).dataSync() as Float32Array;
  });
}

/** dx of sum(maxPool(relu?(x)) · r). */
function poolDx(c: PoolCase, seed: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(c.x.reduce((a, b) => a * b), seed), c.x);
    const f = (a: tf.Tensor): tf.Tensor => {
      const y = tf.maxPool(c.relu ? tf.relu(a as tf.Tensor4D) : (a as tf.Tensor4D), c.size, c.stride, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(seededValues(y.size, seed + 1), y.shape)));
    };
    return tf.grad(f)(x).dataSync() as Float32Array;
  });
}

function maxAbs(v: Float32Array): number {
  return v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

describe('cpu training kernels match tfjs-backend-cpu', () => {
  const stock = { conv: [] as Float32Array[], pool: [] as Float32Array[], funcs: [] as unknown[] };

  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    stock.funcs = CPU_TRAINING_KERNELS.map(({ config }) => tf.getKernel(config.kernelName, 'cpu')?.kernelFunc);
    stock.conv = CONVS.map((c, i) => convDw(c, 10 + i));
    stock.pool = POOLS.map((c, i) => poolDx(c, 50 + i));
    expect(registerCpuTrainingKernels()).toEqual(['Conv2DBackpropFilter', 'MaxPoolGrad', 'ResizeNearestNeighborGrad']);
  });

  it('replaces the stock kernels (which exist and differ from ours)', () => {
    CPU_TRAINING_KERNELS.forEach(({ config }, i) => {
      expect(stock.funcs[i]).toBeDefined();
      expect(stock.funcs[i]).not.toBe(config.kernelFunc);
      expect(tf.getKernel(config.kernelName, 'cpu')?.kernelFunc).toBe(config.kernelFunc);
    });
  });

  it.each(CONVS.map((c, i) => ({ i, c })))('conv case $i: dW within 1e-5 of max |stock|', ({ c, i }) => {
    const ours = convDw(c, 10 + i);
    const want = stock.conv[i];
    expect(ours.length).toBe(want.length);
    const scale = Math.max(maxAbs(want), 1e-30);
    expect(maxAbs(ours.map((v, k) => v - want[k])) / scale).toBeLessThanOrEqual(1e-5);
    expect(scale).toBeGreaterThan(0.1);
  });

  it.each(POOLS.map((c, i) => ({ i, c })))('pool case $i: dx on the same elements as the stock kernel, within 1e-6', ({ c, i }) => {
    const ours = poolDx(c, 50 + i);
    const want = stock.pool[i];
    expect(Array.from(ours, (v) => v !== 0)).toEqual(Array.from(want, (v) => v !== 0));
    expect(maxAbs(ours.map((v, k) => v - want[k])) / maxAbs(want)).toBeLessThanOrEqual(1e-6);
    expect(ours.some((v) => v !== 0)).toBe(true);
  });

  it('leaves no tensor behind', () => {
    convDw(CONVS[0], 1);
    poolDx(POOLS[0], 1);
    const before = tf.memory().numTensors;
    convDw(CONVS[0], 1);
    poolDx(POOLS[0], 1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
