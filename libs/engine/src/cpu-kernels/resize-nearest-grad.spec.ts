/**
 * Our cpu ResizeNearestNeighborGrad against a reference built from the forward op alone: resizing
 * an image whose values are their own flat indices tells which input element each output element
 * reads, and the gradient of Σ dy · resize(x) is dy scattered back onto those elements. The stock
 * tfjs-backend-cpu 4.22 kernel fails this at batch > 1 (it reads dy at the input's batch stride).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerCpuTrainingKernels } from '../training-kernels';
import { resizeNearestNeighborGradConfig } from './resize-nearest-grad';

interface Case {
  x: [number, number, number, number];
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const CASES: Case[] = [
  { x: [2, 4, 4, 3], size: [8, 8], alignCorners: false, halfPixelCenters: false }, // the FPN's top-down 2× upsampling
  { x: [3, 5, 3, 2], size: [8, 7], alignCorners: false, halfPixelCenters: false },
  { x: [2, 5, 3, 2], size: [8, 7], alignCorners: true, halfPixelCenters: false },
  { x: [2, 5, 3, 2], size: [8, 7], alignCorners: false, halfPixelCenters: true },
  { x: [2, 8, 8, 1], size: [3, 5], alignCorners: false, halfPixelCenters: false }, // downsampling: some inputs get nothing
  { x: [1, 1, 1, 4], size: [3, 2], alignCorners: true, halfPixelCenters: false },
];

/** dy values 1, 2, 3, … so that every misrouted element shows. */
const ramp = (shape: number[]): tf.Tensor4D => tf.tidy(() => tf.reshape(tf.range(1, shape.reduce((a, b) => a * b) + 1), shape as [number, number, number, number]));

/** The reference: dy scattered onto the elements the forward op reads (found by resizing indices). */
function reference(c: Case, dy: Float32Array): Float32Array {
  const n = c.x.reduce((a, b) => a * b);
  const source = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.reshape(tf.range(0, n), c.x) as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters).dataSync());
  const dx = new Float32Array(n);
  source.forEach((from, k) => (dx[from] += dy[k]));
  return dx;
}

function gradient(c: Case): Float32Array {
  return tf.tidy(() => {
    const dy = ramp([c.x[0], ...c.size, c.x[3]]);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters), dy));
    return tf.grad(f)(tf.zeros(c.x)).dataSync() as Float32Array;
  });
}

describe('cpu ResizeNearestNeighborGrad', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('the stock kernel misroutes the gradient of every image after the first (why ours replaces it)', () => {
    expect(tf.getKernel('ResizeNearestNeighborGrad', 'cpu')?.kernelFunc).not.toBe(resizeNearestNeighborGradConfig.kernelFunc);
    const c = CASES[0];
    const dy = ramp([c.x[0], ...c.size, c.x[3]]);
    const stock = gradient(c);
    const want = reference(c, dy.dataSync() as Float32Array);
    dy.dispose();
    const perImage = want.length / c.x[0];
    expect(Array.from(stock.subarray(0, perImage))).toEqual(Array.from(want.subarray(0, perImage)));
    expect(Array.from(stock.subarray(perImage))).not.toEqual(Array.from(want.subarray(perImage)));
  });

  it.each(CASES)('equals dy scattered onto the forward op’s sources: %j', (c) => {
    registerCpuTrainingKernels();
    expect(tf.getKernel('ResizeNearestNeighborGrad', 'cpu')?.kernelFunc).toBe(resizeNearestNeighborGradConfig.kernelFunc);
    const before = tf.memory().numTensors;
    const dy = ramp([c.x[0], ...c.size, c.x[3]]);
    const want = reference(c, dy.dataSync() as Float32Array);
    dy.dispose();
    expect(Array.from(gradient(c))).toEqual(Array.from(want));
    expect(tf.memory().numTensors).toBe(before);
  });
});
