/**
 * sigmoidFocalLoss with soft targets t ∈ [0, 1]: hand-computed values and gradients, torchvision's
 * formula evaluated independently in float64 (fast-check), finite values at logits of ±100 and ±1e4,
 * no engine read-back unless `checkTargets`, and, for 0/1 targets, the same numbers as the one-hot
 * fast path of retinaNetClassificationLoss — on the cpu and wasm engines.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { LossArgumentError, retinaNetClassificationLoss, sigmoidCrossEntropy, sigmoidFocalLoss } from './index';
import { focalReference } from './__fixtures__/reference';

const referenceSlope = (x: number, t: number, alpha: number, gamma: number, h = 1e-5): number => (focalReference(x + h, t, alpha, gamma) - focalReference(x - h, t, alpha, gamma)) / (2 * h);

function lossAndGrad(xs: number[], ts: number[], opts: { alpha: number; gamma: number }): { loss: number[]; grad: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const t = tf.tensor1d(ts);
    const loss = Array.from(sigmoidFocalLoss(x, t, opts).dataSync());
    const grad = Array.from(tf.grad((z: tf.Tensor) => tf.sum(sigmoidFocalLoss(z, t, opts)))(x).dataSync());
    return { loss, grad };
  });
}

const close = (actual: number, expected: number, rel: number, abs: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(abs + rel * Math.abs(expected));

describe.each(['cpu', 'wasm'])('sigmoidFocalLoss with soft targets on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it('hand-computed values and gradients (alpha 0.25, gamma 2)', () => {
    // x = 0, t = 0.5: p_t = 0.5, α_t = 0.5, BCE = ln 2 → 0.5 · 0.25 · ln 2; the minimum (gradient 0)
    // x = ln 3 (p = 0.75), t = 0.25: p_t = 0.375, α_t = 0.625, BCE = −0.25 ln 0.75 − 0.75 ln 0.25 = 1.1116413
    //   value = 0.625 · 0.625² · 1.1116413 = 0.2713968
    //   gradient = α_t q² (γ r (1 − 2t) BCE + p − t), r = p(1 − p)/q = 0.3 → 0.625 · 0.390625 · (0.3334924 + 0.5) = 0.2034894
    // x = ±100, t = 0.3: p = 1 / 0 exactly in float32; α_t = 0.6
    //   x = 100:  q = 0.7, BCE = 70 → 0.6 · 0.49 · 70 = 20.58, gradient 0.6 · 0.49 · 0.7 = 0.2058
    //   x = −100: q = 0.3, BCE = 30 → 0.6 · 0.09 · 30 = 1.62, gradient 0.6 · 0.09 · (−0.3) = −0.0162
    const { loss, grad } = lossAndGrad([0, Math.log(3), 100, -100], [0.5, 0.25, 0.3, 0.3], { alpha: 0.25, gamma: 2 });
    [0.125 * Math.LN2, 0.2713968, 20.58, 1.62].forEach((e, i) => close(loss[i], e, 1e-6, 1e-7));
    [0, 0.2034894, 0.2058, -0.0162].forEach((e, i) => close(grad[i], e, 1e-6, 1e-7));
  });

  it('equals the float64 torchvision formula, values and gradients, for any t in [0, 1], alpha (or none) and gamma >= 0', () => {
    const f32 = (v: number) => Math.fround(v);
    const caseArb = fc.array(fc.tuple(fc.double({ min: -20, max: 20, noNaN: true }).map(f32), fc.double({ min: 0, max: 1, noNaN: true }).map(f32)), { minLength: 1, maxLength: 10 });
    const alphaArb = fc.oneof(fc.constant(-1), fc.double({ min: 0, max: 1, noNaN: true }));
    const gammaArb = fc.oneof(fc.constantFrom(0, 1, 2), fc.double({ min: 0, max: 5, noNaN: true }));
    fc.assert(
      fc.property(caseArb, alphaArb, gammaArb, (c, alpha, gamma) => {
        const { loss, grad } = lossAndGrad(c.map((v) => v[0]), c.map((v) => v[1]), { alpha, gamma });
        c.forEach(([x, t], i) => {
          close(loss[i], focalReference(x, t, alpha, gamma), 2e-5, 1e-6);
          close(grad[i], referenceSlope(x, t, alpha, gamma), 1e-4, 1e-6);
        });
      }),
      { numRuns: 60 },
    );
  });

  it.each([0, 0.5, 1, 2, 5])('finite values and gradients, equal to the float64 formula, at logits ±100 and ±1e4 (gamma %p)', (gamma) => {
    const xs = [-1e4, -100, -30, 30, 100, 1e4];
    const ts = [0, 0.3, 0.5, 0.99, 1];
    const c = xs.flatMap((x) => ts.map((t) => [x, Math.fround(t)]));
    for (const alpha of [0.25, -1]) {
      const { loss, grad } = lossAndGrad(c.map((v) => v[0]), c.map((v) => v[1]), { alpha, gamma });
      expect([...loss, ...grad].every(Number.isFinite)).toBe(true);
      c.forEach(([x, t], i) => {
        close(loss[i], focalReference(x, t, alpha, gamma), 1e-5, 1e-6);
        close(grad[i], referenceSlope(x, t, alpha, gamma, 1e-3), 1e-4, 1e-6);
      });
    }
  });

  it('reads nothing back from the engine by default (no GPU sync per step); checkTargets reads the targets once', () => {
    const x = tf.tensor2d([[1, -2, 0.5], [3, 0, -1]]);
    const t = tf.tensor2d([[1, 0, 0.3], [0.8, 0.5, 0]]);
    const reads = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'].map((m) => jest.spyOn(t, m as 'dataSync'));
    const engineReads = [jest.spyOn(tf.engine(), 'readSync'), jest.spyOn(tf.engine(), 'read')];
    const loss = sigmoidFocalLoss(x, t, { reduction: 'sum' });
    const ce = sigmoidCrossEntropy(x, t, { alpha: 0.25, reduction: 'mean' });
    const grad = tf.grad((z: tf.Tensor) => sigmoidFocalLoss(z, t, { reduction: 'sum' }))(x);
    [...reads, ...engineReads].forEach((s) => expect(s).not.toHaveBeenCalled());
    sigmoidFocalLoss(x, t, { checkTargets: true }).dispose();
    expect(reads[0]).toHaveBeenCalledTimes(1);
    [...reads, ...engineReads].forEach((s) => s.mockRestore());
    expect(Number.isFinite(loss.dataSync()[0]) && Number.isFinite(ce.dataSync()[0])).toBe(true);
    tf.dispose([x, t, loss, ce, grad]);
  });

  it('checkTargets refuses values outside [0, 1] and NaN, naming the index and shape', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 3]);
      expect(() => sigmoidFocalLoss(x, tf.tensor2d([[0, 0.5, 1], [1, 1.5, 0]]), { checkTargets: true })).toThrow(/^Error in sigmoidFocalLoss: targets must be in \[0, 1\] \(got 1\.5 at flat index 4 of targets \[2, 3\]\)$/);
      expect(() => sigmoidCrossEntropy(x, tf.tensor2d([[0, -0.25, 1], [1, 1, 0]]), { checkTargets: true })).toThrow(/Error in sigmoidCrossEntropy: targets must be in \[0, 1\] \(got -0\.25 at flat index 1/);
      expect(() => sigmoidFocalLoss(x, tf.fill([2, 3], Number.NaN), { checkTargets: true })).toThrow(LossArgumentError);
      expect(() => sigmoidFocalLoss(x, tf.fill([2, 3], 0.5), { checkTargets: true })).not.toThrow();
    });
  });

  it('for one-hot targets, equals the one-hot fast path of retinaNetClassificationLoss (value and gradient)', () => {
    tf.tidy(() => {
      const [b, a, c] = [2, 5, 3];
      const logits = tf.tensor3d(Array.from({ length: b * a * c }, (_, i) => 6 * Math.sin(1.7 * i) + (i % 7 === 0 ? 90 : 0)), [b, a, c]);
      const labels = Int32Array.from([0, -1, 2, 1, -1, -1, 2, 0, 0, 1]);
      const hot = new Float32Array(b * a * c);
      labels.forEach((l, i) => {
        if (l >= 0) hot[i * c + l] = 1;
      });
      const onehot = tf.tensor3d(hot, [b, a, c]);
      const general = (z: tf.Tensor) => sigmoidFocalLoss(z, onehot, { alpha: 0.25, gamma: 2, reduction: 'sum' });
      const fast = (z: tf.Tensor) => retinaNetClassificationLoss(z, labels, { alpha: 0.25, gamma: 2, normalizer: 1 });
      close(general(logits).dataSync()[0], fast(logits).dataSync()[0], 1e-6, 1e-6);
      const [g1, g2] = [tf.grad(general)(logits).dataSync(), tf.grad(fast)(logits).dataSync()];
      g1.forEach((v, i) => close(v, g2[i], 1e-5, 1e-7));
    });
  });

  it('leaks no tensors across 200 calls with gradients', () => {
    const x = tf.tensor2d([[1, -2], [0.5, 3]]);
    const t = tf.tensor2d([[0.9, 0.1], [0, 0.6]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      sigmoidFocalLoss(x, t, { gamma: i % 3, perClassAlpha: [0.2, 0.7] }).dispose();
      tf.grad((z: tf.Tensor) => sigmoidFocalLoss(z, t, { gamma: 0.5 + (i % 2), reduction: 'mean' }))(x).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t]);
  });
});
