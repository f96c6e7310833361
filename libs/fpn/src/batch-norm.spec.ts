/**
 * Training-mode batch norm, both implementations (tfjs ops for any engine; host-memory loops for wasm
 * and cpu) against an independent reference: tf.moments and automatic differentiation. Values,
 * gradients of x, γ and β, and the moments handed to the running statistics — also for inputs whose
 * mean is far larger than their spread, where a float32 E[x²] − μ² would cancel.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { BN_EPS, batchNormTrainingHost, batchNormTrainingOps } from './index';
import { maxRelativeError } from '@retina/engine/testing';

type Impl = (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, onMoments: (m: tf.Tensor1D, v: tf.Tensor1D, n: number) => void) => tf.Tensor4D;

const reference: Impl = (x, g, b, onMoments) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  onMoments(mean as tf.Tensor1D, variance as tf.Tensor1D, x.size / x.shape[3]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS))), g), b) as tf.Tensor4D;
};

/** Output, gradients (x, γ, β) of Σ w ⊙ BN(x) and the reported moments. */
function run(impl: Impl, x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, w: tf.Tensor4D) {
  return tf.tidy(() => {
    let moments: number[][] = [];
    let count = 0;
    const y = impl(x, g, b, (m, v, n) => {
      moments = [[...m.dataSync()], [...v.dataSync()]];
      count = n;
    });
    const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(impl(xi as tf.Tensor4D, gi as tf.Tensor1D, bi as tf.Tensor1D, () => undefined), w)))([x, g, b]);
    return { y: y.dataSync(), grads: grads.map((t) => t.dataSync()), moments, count };
  });
}

describe.each(['cpu', 'wasm'])('training batch norm on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each([
    ['ordinary inputs', 0, 1],
    ['mean 1000 × the spread', 500, 0.5],
  ])('%s: both implementations equal the tf.moments reference (values, ∂x, ∂γ, ∂β, moments)', (_, offset, spread) => {
    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 7), spread), offset)) as tf.Tensor4D;
    const g = tf.tensor1d([1.5, 0.5, 1, 2, -0.7, 0.9]);
    const b = tf.tensor1d([0.1, -0.2, 0.3, 0, 1, -1]);
    const w = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 8) as tf.Tensor4D;
    const want = run(reference, x, g, b, w);
    for (const impl of [(xi: tf.Tensor4D, gi: tf.Tensor1D, bi: tf.Tensor1D, on: Parameters<Impl>[3]) => batchNormTrainingOps(xi, gi, bi, undefined, on), (xi: tf.Tensor4D, gi: tf.Tensor1D, bi: tf.Tensor1D, on: Parameters<Impl>[3]) => batchNormTrainingHost(xi, gi, bi, undefined, on)]) {
      const got = run(impl, x, g, b, w);
      expect(maxRelativeError(got.y, want.y)).toBeLessThan(1e-4);
      got.grads.forEach((gr, i) => expect(maxRelativeError(gr, want.grads[i])).toBeLessThan(2e-3));
      expect(maxRelativeError(got.moments[0], want.moments[0])).toBeLessThan(1e-5);
      expect(maxRelativeError(got.moments[1], want.moments[1])).toBeLessThan(1e-3);
      expect(got.count).toBe(60);
    }
    tf.dispose([x, g, b, w]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is finite for a constant channel (zero variance) and extreme values', () => {
    const x = tf.tidy(() => tf.concat([tf.fill([2, 3, 3, 1], 100), tf.mul(tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 3), 1e4)], 3)) as tf.Tensor4D;
    const g = tf.tensor1d([1, 1]);
    const b = tf.tensor1d([0, 0]);
    const w = tf.onesLike(x) as tf.Tensor4D;
    for (const impl of [(xi: tf.Tensor4D, gi: tf.Tensor1D, bi: tf.Tensor1D, on: Parameters<Impl>[3]) => batchNormTrainingOps(xi, gi, bi, undefined, on), (xi: tf.Tensor4D, gi: tf.Tensor1D, bi: tf.Tensor1D, on: Parameters<Impl>[3]) => batchNormTrainingHost(xi, gi, bi, undefined, on)]) {
      const got = run(impl, x, g, b, w);
      expect([...got.y, ...got.grads.flatMap((t) => [...t])].every(Number.isFinite)).toBe(true);
    }
    tf.dispose([x, g, b, w]);
  });
});
