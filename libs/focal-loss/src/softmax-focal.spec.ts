import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { LossArgumentError, softmaxFocalLoss } from './index';

/** Independent float64 softmax focal loss of one row: −α (1 − p_y)^γ log p_y. */
function reference(row: number[], y: number, gamma: number, alpha = 1): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  const logp = row[y] - lse;
  return -alpha * Math.pow(1 - Math.exp(logp), gamma) * logp;
}

const ROWS = [[2, 0, -1], [0.3, 0.2, 0.1], [1, 1, 5], [-4, 3, 0.5]];
const LABELS = [0, 1, 2, 0];

describe.each(['cpu', 'wasm'])('softmaxFocalLoss on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each([0, 0.5, 2, 5])('matches an independent float64 computation (gamma %p)', (gamma) => {
    const got = tf.tidy(() => softmaxFocalLoss(tf.tensor2d(ROWS), tf.tensor1d(LABELS, 'int32'), { gamma, alpha: 0.5 }).dataSync());
    ROWS.forEach((r, i) => expect(Math.abs(got[i] - reference(r, LABELS[i], gamma, 0.5))).toBeLessThanOrEqual(1e-5 * Math.max(1, got[i])));
  });

  it('gradient equals a float64 central difference', () => {
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(softmaxFocalLoss(z, Int32Array.from(LABELS), { gamma: 2 })))(tf.tensor2d(ROWS)).dataSync());
    const h = 1e-6;
    ROWS.forEach((row, i) =>
      row.forEach((_, j) => {
        const shifted = (d: number) => reference(row.map((v, k) => (k === j ? v + d : v)), LABELS[i], 2);
        expect(g[3 * i + j]).toBeCloseTo((shifted(h) - shifted(-h)) / (2 * h), 4);
      }),
    );
  });

  it('is shaped like the labels for dense [N, H, W, C] logits (any rank), labels as tensor or Int32Array', () => {
    tf.tidy(() => {
      const logits = tf.tensor4d([...ROWS.flat(), ...ROWS.flat()], [2, 2, 2, 3]);
      const labels = Int32Array.from([...LABELS, ...LABELS]);
      const a = softmaxFocalLoss(logits, labels);
      const b = softmaxFocalLoss(logits, tf.tensor3d(labels, [2, 2, 2], 'int32'));
      expect(a.shape).toEqual([2, 2, 2]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      expect(a.dataSync()[4]).toBeCloseTo(reference(ROWS[0], 0, 2), 5);
    });
  });

  it('skips the ignore index: 0 there, and mean divides by the kept elements only', () => {
    const rows = [[2, 0, -1], [0, 0, 0], [1, 1, 5]];
    const labels = tf.tensor1d([0, 255, 2], 'int32');
    const [none, mean] = tf.tidy(() => [
      softmaxFocalLoss(tf.tensor2d(rows), labels, { ignoreIndex: 255 }).dataSync(),
      softmaxFocalLoss(tf.tensor2d(rows), labels, { ignoreIndex: 255, reduction: 'mean' }).dataSync(),
    ]);
    expect(none[1]).toBe(0);
    expect(mean[0]).toBeCloseTo((reference(rows[0], 0, 2) + reference(rows[2], 2, 2)) / 2, 5);
    labels.dispose();
  });

  it('perClassAlpha weights each element by its label’s weight', () => {
    const w = [0.5, 2, 3];
    const got = tf.tidy(() => softmaxFocalLoss(tf.tensor2d(ROWS), Int32Array.from(LABELS), { perClassAlpha: w }).dataSync());
    ROWS.forEach((r, i) => expect(got[i]).toBeCloseTo(reference(r, LABELS[i], 2, w[LABELS[i]]), 5));
  });

  it('errors name the argument and the shapes', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 3]);
      expect(() => softmaxFocalLoss(x, Int32Array.from([0, 1]), { alpha: -1 })).toThrow(LossArgumentError);
      expect(() => softmaxFocalLoss(x, Int32Array.from([0, 1]), { alpha: 0 })).toThrow(/alpha must be a finite weight > 0 \(got 0\)/);
      expect(() => softmaxFocalLoss(x, tf.tensor1d([0, 3], 'int32'))).toThrow(/labels must be class indices in \[0, 2\] \(got 3 at flat index 1 of labels \[2\]\)/);
      expect(() => softmaxFocalLoss(x, tf.tensor1d([0, 0.5]))).toThrow(/got 0.5 at flat index 1/);
      expect(() => softmaxFocalLoss(x, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/labels must be \[2\], logits \[2, 3\] without the class axis \(got \[3\]\)/);
      expect(() => softmaxFocalLoss(x, Int32Array.from([0, 1]), { gamma: -2 })).toThrow(/gamma must be a finite number >= 0 \(got -2\)/);
      expect(() => softmaxFocalLoss(x, Int32Array.from([0, 1]), { perClassAlpha: [1, 2] })).toThrow(/perClassAlpha needs one weight per class \(C = 3, got 2\)/);
      expect(() => softmaxFocalLoss(x, Int32Array.from([0, 1]), { reduction: 'avg' as never })).toThrow(/reduction must be 'none', 'mean' or 'sum' \(got "avg"\)/);
    });
  });
});
