/**
 * The wasm conv2d gradients (our Conv2DBackpropFilter / Conv2DBackpropInput) against the cpu engine's
 * independent implementation, on random shapes, strides, paddings and filter sizes: max |wasm − cpu|
 * ≤ 1e-4 × max |cpu| for both dx and dW.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { setScratchLimit } from './heap';
import { registerWasmTrainingKernels } from '../training-kernels';
import { maxRelativeError, seededValues } from '../testing';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

const REL_TOL = 1e-4;

function convGrads(backend: string, c: Case, seed: number): { dx: Float32Array; dw: Float32Array; y: Float32Array } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(c.x.reduce((a, b) => a * b), seed), c.x);
    const w = tf.tensor4d(seededValues(c.filter.reduce((a, b) => a * b), seed + 1), c.filter);
    const y = tf.conv2d(x, w, c.strides, c.pad);
    const r = tf.tensor(seededValues(y.size, seed + 2), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)))([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array, y: y.dataSync() as Float32Array };
  });
}

/** A random case from a seed: batch 1–2, 1–9 channels, 4–12 px, filters 1/2/3/5, strides 1–3, all padding kinds. */
function randomCase(seed: number): Case {
  const v = seededValues(12, 1000 + seed).map((u) => (u + 1) / 2);
  const pick = <T>(u: number, options: readonly T[]): T => options[Math.floor(u * options.length)];
  const fh = pick(v[0], [1, 2, 3, 5]);
  const fw = pick(v[1], [1, 3, 5]);
  const pads: Pad[] = ['same', 'valid', [[0, 0], [pick(v[2], [0, 1, 2]), pick(v[3], [0, 1, 2])], [pick(v[4], [0, 1, 2]), pick(v[5], [0, 1])], [0, 0]]];
  const h = Math.max(fh, 4 + Math.floor(v[6] * 9));
  const w = Math.max(fw, 4 + Math.floor(v[7] * 9));
  return {
    x: [1 + Math.floor(v[8] * 2), h, w, 1 + Math.floor(v[9] * 9)],
    filter: [fh, fw, 0, 1 + Math.floor(v[10] * 9)].map((d, i) => (i === 2 ? 1 + Math.floor(v[9] * 9) : d)) as Case['filter'],
    strides: [pick(v[11], [1, 2, 3]), pick(v[2], [1, 2])],
    pad: pick(v[3], pads),
  };
}

const FIXED: Case[] = [
  { x: [2, 10, 10, 8], filter: [3, 3, 8, 12], strides: [1, 1], pad: 'same' },
  { x: [1, 15, 17, 4], filter: [3, 3, 4, 6], strides: [2, 2], pad: 'same' },
  { x: [1, 16, 16, 6], filter: [1, 1, 6, 5], strides: [2, 2], pad: 'valid' },
  { x: [1, 15, 15, 3], filter: [7, 7, 3, 8], strides: [2, 2], pad: 'same' },
  { x: [2, 9, 11, 5], filter: [3, 2, 5, 4], strides: [1, 2], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
];

describe('wasm conv2d gradients match the cpu engine', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  const cases = [...FIXED.map((c, i) => ({ name: `fixed ${i}`, c, seed: 10 + i })), ...Array.from({ length: 24 }, (_, i) => ({ name: `random ${i}`, c: randomCase(i), seed: 100 + i }))];
  it.each(cases)('$name: dx and dW within 1e-4 relative', ({ c, seed }) => {
    const cpu = convGrads('cpu', c, seed);
    const wasm = convGrads('wasm', c, seed);
    expect(maxRelativeError(wasm.y, cpu.y)).toBeLessThan(REL_TOL);
    expect(maxRelativeError(wasm.dx, cpu.dx)).toBeLessThan(REL_TOL);
    expect(maxRelativeError(wasm.dw, cpu.dw)).toBeLessThan(REL_TOL);
  });

  it.each(FIXED.map((c, i) => ({ i, c })))('fixed $i split into chunks of ≤ 200 scratch elements: same dx and dW', ({ c, i }) => {
    const cpu = convGrads('cpu', c, 10 + i);
    const previous = setScratchLimit(200);
    try {
      const wasm = convGrads('wasm', c, 10 + i);
      expect(maxRelativeError(wasm.dx, cpu.dx)).toBeLessThan(REL_TOL);
      expect(maxRelativeError(wasm.dw, cpu.dw)).toBeLessThan(REL_TOL);
    } finally {
      setScratchLimit(previous);
    }
  });

  it.each([288, 576, 1000, 2000])('stride-1 dW in chunks of ≤ %i scratch elements, chunks spanning two images: same dW', (limit) => {
    // K·Wp = 3·3·4 · 8 = 288 scratch elements per output row; 5 rows per image, 3 images.
    const c: Case = { x: [3, 5, 6, 4], filter: [3, 3, 4, 5], strides: [1, 1], pad: 'same' };
    const cpu = convGrads('cpu', c, 7);
    const previous = setScratchLimit(limit);
    try {
      expect(maxRelativeError(convGrads('wasm', c, 7).dw, cpu.dw)).toBeLessThan(REL_TOL);
    } finally {
      setScratchLimit(previous);
    }
  });

  it('padding wider than the filter (the col2im path at stride 1) matches too', () => {
    const c: Case = { x: [1, 6, 7, 3], filter: [1, 2, 3, 4], strides: [1, 1], pad: [[0, 0], [2, 1], [1, 3], [0, 0]] };
    const cpu = convGrads('cpu', c, 3);
    const wasm = convGrads('wasm', c, 3);
    expect(maxRelativeError(wasm.dx, cpu.dx)).toBeLessThan(REL_TOL);
    expect(maxRelativeError(wasm.dw, cpu.dw)).toBeLessThan(REL_TOL);
  });

  it('leaves no tensor and no wasm heap buffer behind', () => {
    tf.setBackend('wasm');
    const c = FIXED[1];
    convGrads('wasm', c, 1);
    const before = tf.memory();
    const ids = tf.backend().numDataIds();
    convGrads('wasm', c, 1);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.backend().numDataIds()).toBe(ids);
  });
});
