/**
 * Our wasm MaxPoolGrad against the cpu engine's independent implementation: random shapes, window
 * sizes, strides and paddings, plus windows full of ties (ReLU zeros), which must route dy to the same
 * element. Gradients equal to 1e-6 relative (the routing is exact; only sums of dy may round).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { maxPoolGradConfig } from './maxpool-grad';
import { maxRelativeError, seededValues } from '../testing';

interface Case {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}

/** dx of sum(maxPool(relu?(x)) · r) on one engine. */
function poolGrad(backend: string, c: Case, seed: number, relu: boolean): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(c.x.reduce((a, b) => a * b), seed), c.x);
    const f = (a: tf.Tensor): tf.Tensor => {
      const a4 = a as tf.Tensor4D;
      const y = tf.maxPool(relu ? tf.relu(a4) : a4, c.size, c.stride, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(seededValues(y.size, seed + 1), y.shape)));
    };
    return tf.grad(f)(x).dataSync() as Float32Array;
  });
}

const CASES: Case[] = [
  { x: [2, 16, 16, 8], size: 3, stride: 2, pad: 'same' },
  { x: [1, 15, 13, 5], size: 3, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 3], size: 2, stride: 2, pad: 'valid' },
  { x: [1, 10, 7, 4], size: 3, stride: 1, pad: 'same' },
  { x: [1, 11, 11, 6], size: 3, stride: 3, pad: 1 },
  { x: [2, 8, 12, 1], size: 1, stride: 2, pad: 'valid' },
];

describe('wasm MaxPoolGrad', () => {
  let wasmOwn: KernelConfig | undefined;

  beforeAll(async () => {
    await tf.setBackend('wasm');
    wasmOwn = getKernel('MaxPoolGrad', 'wasm');
    if (wasmOwn) unregisterKernel('MaxPoolGrad', 'wasm');
    registerKernel(maxPoolGradConfig);
  });

  afterAll(() => {
    unregisterKernel('MaxPoolGrad', 'wasm');
    if (wasmOwn) registerKernel(wasmOwn);
  });

  it.each(CASES.flatMap((c, i) => [false, true].map((relu) => ({ c, relu, seed: 40 + i, name: `${c.x} ${c.size}/${c.stride} ${c.pad}${relu ? ' after ReLU (ties)' : ''}` }))))(
    '$name: dx equals the cpu engine',
    ({ c, relu, seed }) => {
      expect(maxRelativeError(poolGrad('wasm', c, seed, relu), poolGrad('cpu', c, seed, relu))).toBeLessThan(1e-6);
    },
  );

  it('routes each window to its first maximum: hand-computed 4×4, 2×2/2 windows of equal values', () => {
    tf.setBackend('wasm');
    const dx = tf.tidy(() => {
      const x = tf.tensor4d([1, 1, 5, 2, 1, 1, 2, 5, 0, 3, 7, 7, 3, 0, 7, 7], [1, 4, 4, 1]);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]))))(x).dataSync();
    });
    expect(Array.from(dx)).toEqual([10, 0, 20, 0, 0, 0, 0, 0, 0, 30, 40, 0, 0, 0, 0, 0]);
  });

  it('rejects a dy that does not match the pool output, naming both shapes', () => {
    tf.setBackend('wasm');
    tf.tidy(() => {
      const input = tf.zeros([1, 4, 4, 2]);
      const dy = tf.zeros([1, 3, 3, 2]);
      expect(() => tf.engine().runKernel('MaxPoolGrad', { dy, input, output: dy }, { filterSize: 2, strides: 2, pad: 'valid' } as never)).toThrow(
        /MaxPoolGrad.*dy shape \[1,3,3,2\] does not match the pool output \[1,2,2,2\]/,
      );
    });
  });

  it('leaves no tensor behind', () => {
    poolGrad('wasm', CASES[0], 1, true);
    const before = tf.memory().numTensors;
    poolGrad('wasm', CASES[0], 1, true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
