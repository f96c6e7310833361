import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { countPositives, retinaNetClassificationLoss, sigmoidCrossEntropy, sigmoidFocalLoss, type Reduction } from './index';

const GOLDEN = join(__dirname, '../../../fixtures/golden/focal');
const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.json'));
const load = (f: string) => JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'));
const sigmoidCases = files.filter((f) => load(f).kind === 'sigmoid_focal_loss');
const retinaCases = files.filter((f) => load(f).kind === 'retinanet_classification_loss');

/** The tolerance: 1e-5 relative, 1e-6 absolute near zero. */
function expectClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = Math.max(1e-6, 1e-5 * Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
  }
}

describe.each(['cpu', 'wasm'])('torchvision golden values and gradients on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it('covers every golden file', () => {
    expect(sigmoidCases.length + retinaCases.length).toBe(files.length);
    expect(files.length).toBeGreaterThanOrEqual(11);
  });

  it.each(sigmoidCases)('sigmoidFocalLoss equals %s', (file) => {
    const g = load(file);
    const opts = { alpha: g.alpha, gamma: g.gamma, reduction: g.reduction as Reduction };
    tf.tidy(() => {
      const logits = tf.tensor(g.logits, g.shape);
      const targets = tf.tensor(g.targets, g.shape);
      expectClose(sigmoidFocalLoss(logits, targets, opts).dataSync(), g.loss, 'loss');
      const grad = tf.grad((x: tf.Tensor) => tf.sum(sigmoidFocalLoss(x, targets, opts)))(logits);
      expectClose(grad.dataSync(), g.grad_of_sum, 'grad');
    });
  });

  it('sigmoidCrossEntropy with alpha equals the gamma = 0 golden (alpha-balanced CE)', () => {
    const g = load('gamma0.json');
    tf.tidy(() => {
      const targets = tf.tensor(g.targets, g.shape);
      const f = (x: tf.Tensor) => sigmoidCrossEntropy(x, targets, { alpha: g.alpha, reduction: 'sum' });
      expectClose(f(tf.tensor(g.logits, g.shape)).dataSync(), g.loss, 'loss');
      expectClose(tf.grad(f)(tf.tensor(g.logits, g.shape)).dataSync(), g.grad_of_sum, 'grad');
    });
  });

  describe.each(retinaCases)('retinaNetClassificationLoss equals %s', (file) => {
    const g = load(file);
    const opts = { alpha: g.alpha, gamma: g.gamma };

    it('counts the positives the reference counted', () => {
      expect(countPositives(Int32Array.from(g.labels))).toBe(g.num_positive);
    });

    it.each(['Int32Array', 'int32 tensor'])('value and gradient with labels as %s', (form) => {
      tf.tidy(() => {
        const labels = form === 'Int32Array' ? Int32Array.from(g.labels) : tf.tensor2d(g.labels, [g.shape[0], g.shape[1]], 'int32');
        const logits = tf.tensor3d(g.logits, g.shape);
        expectClose(retinaNetClassificationLoss(logits, labels, opts).dataSync(), [g.loss], 'loss');
        const grad = tf.grad((x: tf.Tensor) => retinaNetClassificationLoss(x, labels, opts))(logits);
        expectClose(grad.dataSync(), g.grad, 'grad');
      });
    });
  });
});
