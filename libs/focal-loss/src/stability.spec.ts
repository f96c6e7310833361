import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  boxRegressionLoss,
  retinaNetClassificationLoss,
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxFocalLoss,
  type BoxLossType,
  type ClassificationLossKind,
} from './index';

const finite = (t: tf.Tensor) => Array.from(t.dataSync()).every(Number.isFinite);
const EXTREME = [-1e4, -100, -80, -30, 0, 30, 80, 100, 1e4];

describe.each(['cpu', 'wasm'])('numerical stability and memory on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each([0, 0.5, 1, 2, 5])('sigmoidFocalLoss: finite values and gradients at logits of ±100 and ±1e4 (gamma %p)', (gamma) => {
    tf.tidy(() => {
      const x = tf.tensor1d([...EXTREME, ...EXTREME]);
      const t = tf.tensor1d([...EXTREME.map(() => 0), ...EXTREME.map(() => 1)]);
      for (const alpha of [0.25, -1]) {
        const f = (z: tf.Tensor) => sigmoidFocalLoss(z, t, { gamma, alpha });
        expect(finite(f(x))).toBe(true);
        expect(finite(tf.grad((z: tf.Tensor) => tf.sum(f(z)))(x))).toBe(true);
      }
    });
  });

  it('a confident right answer costs ~0 with ~0 gradient; a confident wrong one costs ~|x| with gradient ±alpha_t', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([100, -100, -100, 100]);
      const t = tf.tensor1d([1, 0, 1, 0]);
      const f = (z: tf.Tensor) => sigmoidFocalLoss(z, t, { alpha: 0.25, gamma: 2 });
      const v = f(x).dataSync();
      const g = tf.grad((z: tf.Tensor) => tf.sum(f(z)))(x).dataSync();
      [0, 0, 0.25 * 100, 0.75 * 100].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 4));
      [0, 0, -0.25, 0.75].forEach((e, i) => expect(g[i]).toBeCloseTo(e, 6));
    });
  });

  it.each(['focal', 'ce', 'balanced-ce'] as ClassificationLossKind[])('retinaNetClassificationLoss (%s): finite at ±100', (kind) => {
    tf.tidy(() => {
      const logits = tf.tensor3d([[[100, -100], [-100, 100], [100, 100], [0, -100]]]);
      const labels = Int32Array.from([0, -1, -2, 1]);
      const f = (z: tf.Tensor) => retinaNetClassificationLoss(z, labels, { kind, gamma: 0 });
      expect(finite(f(logits))).toBe(true);
      expect(finite(tf.grad(f)(logits))).toBe(true);
    });
  });

  it.each([0, 0.5, 2])('softmaxFocalLoss: finite values and gradients at ±100, also at p_y = 1 (gamma %p)', (gamma) => {
    tf.tidy(() => {
      const x = tf.tensor2d([[100, -100, 0], [-100, 100, 0], [0, 0, 0], [1e4, -1e4, 0]]);
      const y = tf.tensor1d([0, 0, 2, 0], 'int32');
      const f = (z: tf.Tensor) => softmaxFocalLoss(z, y, { gamma });
      expect(finite(f(x))).toBe(true);
      expect(finite(tf.grad((z: tf.Tensor) => tf.sum(f(z)))(x))).toBe(true);
    });
  });

  it('leaks no tensors across 1000 calls of every loss, with gradients', () => {
    const x = tf.tensor2d([[1, -2], [0.5, 3]]);
    const t = tf.tensor2d([[1, 0], [0, 1]]);
    const logits = tf.tensor3d([[[1, 2], [3, 4], [5, 6], [7, 8]]]);
    const labels = Int32Array.from([0, -1, -2, 1]);
    const labelsT = tf.tensor2d(labels, [1, 4], 'int32');
    const deltas = tf.tensor3d([[[0.1, 0.2, 0.3, 0.4], [0, 0, 0, 0], [1, 1, 1, 1], [-0.5, 0.5, -0.2, 0.2]]]);
    const targets = tf.zeros([1, 4, 4]);
    const anchors = tf.tensor2d([[0, 0, 16, 16], [8, 8, 24, 40], [0, 0, 32, 32], [4, 4, 12, 12]]);
    const classes = tf.tensor1d([1, 0], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      sigmoidFocalLoss(x, t, { reduction: 'sum' }).dispose();
      sigmoidCrossEntropy(x, t, { alpha: 0.25, perClassAlpha: [0.2, 0.7] }).dispose();
      tf.grad((z: tf.Tensor) => retinaNetClassificationLoss(z, i % 2 ? labels : labelsT, { normalizer: 'per-image' }))(logits).dispose();
      const type: BoxLossType = (['l1', 'smooth-l1', 'giou'] as const)[i % 3];
      tf.grad((d: tf.Tensor) => boxRegressionLoss(d, targets, labels, { type, anchors }))(deltas).dispose();
      softmaxFocalLoss(x, classes, { reduction: 'mean' }).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t, logits, labelsT, deltas, targets, anchors, classes]);
  });
});
