import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LossArgumentError, sigmoidCrossEntropy, sigmoidFocalLoss } from './index';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const run = (f: () => tf.Tensor) => tf.tidy(() => Array.from(f().dataSync()));

describe('sigmoidFocalLoss options', () => {
  it('the README numbers: with gamma 2, p_t = 0.9 costs 100× less than CE, p_t = 0.5 4× less', () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    const x = () => tf.tensor1d([logit(0.9), logit(0.5)]);
    const t = () => tf.tensor1d([1, 1]);
    const focal = run(() => sigmoidFocalLoss(x(), t(), { alpha: -1, gamma: 2 }));
    const ce = run(() => sigmoidCrossEntropy(x(), t()));
    expect(ce[0] / focal[0]).toBeCloseTo(100, 2);
    expect(ce[1] / focal[1]).toBeCloseTo(4, 4);
  });

  it('perClassAlpha applies one alpha per last-axis column (= per-column scalar alpha)', () => {
    const xs = [[0.5, -1, 2], [1, 0, -2]];
    const ts = [[0, 0, 1], [1, 0, 0]];
    const alpha = [0.1, 0.5, 0.9];
    const got = run(() => sigmoidFocalLoss(tf.tensor2d(xs), tf.tensor2d(ts), { perClassAlpha: alpha, gamma: 1 }));
    alpha.forEach((a, c) => {
      const col = run(() => sigmoidFocalLoss(tf.tensor1d(xs.map((r) => r[c])), tf.tensor1d(ts.map((r) => r[c])), { alpha: a, gamma: 1 }));
      col.forEach((v, b) => expect(got[3 * b + c]).toBeCloseTo(v, 6));
    });
  });

  it('accepts int32 and bool targets', () => {
    const x = () => tf.tensor1d([0.3, -2]);
    const f = run(() => sigmoidFocalLoss(x(), tf.tensor1d([1, 0])));
    expect(run(() => sigmoidFocalLoss(x(), tf.tensor1d([1, 0], 'int32')))).toEqual(f);
    expect(run(() => sigmoidFocalLoss(x(), tf.tensor1d([true, false], 'bool')))).toEqual(f);
  });

  it('one clear error per mistake, naming the argument and shapes', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 3]);
      const t = tf.zeros([2, 3]);
      expect(() => sigmoidFocalLoss(x, tf.zeros([3, 2]))).toThrow(/Error in sigmoidFocalLoss: logits \[2, 3\] and targets \[3, 2\] must have the same shape/);
      expect(() => sigmoidFocalLoss(x, t, { alpha: 1.5 })).toThrow(/alpha must be in \[0, 1\], or negative to disable it \(got 1.5\)/);
      expect(() => sigmoidFocalLoss(x, t, { alpha: Number.NaN })).toThrow(/alpha must be in \[0, 1\]/);
      expect(() => sigmoidFocalLoss(x, t, { gamma: -1 })).toThrow(/gamma must be a finite number >= 0 \(got -1\)/);
      expect(() => sigmoidFocalLoss(x, tf.fill([2, 3], 1.5), { checkTargets: true })).toThrow(/targets must be in \[0, 1\] \(got 1.5 at flat index 0 of targets \[2, 3\]\)/);
      expect(() => sigmoidFocalLoss(x, t, { perClassAlpha: [0.5, 0.5] })).toThrow(/logits \[2, 3\] have 3 on the last axis, perClassAlpha has 2/);
      expect(() => sigmoidFocalLoss(x, t, { reduction: 'avg' as never })).toThrow(/reduction must be 'none', 'mean' or 'sum'/);
      expect(() => sigmoidCrossEntropy(x, tf.zeros([2]))).toThrow(/Error in sigmoidCrossEntropy: logits \[2, 3\] and targets \[2\]/);
      expect(() => sigmoidFocalLoss(x, t, { gamma: -1 })).toThrow(LossArgumentError);
    });
  });
});
