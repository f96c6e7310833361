import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { boxRegressionLoss, type BoxLossOptions, type Normalizer } from './index';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

function loss(pred: number[][][], labels: number[], opts: BoxLossOptions = {}, normalizer?: Normalizer, target?: number[][][]): number {
  return tf.tidy(() => {
    const p = tf.tensor3d(pred);
    const t = target ? tf.tensor3d(target) : tf.zerosLike(p);
    return boxRegressionLoss(p, t, Int32Array.from(labels), opts, normalizer).dataSync()[0];
  });
}

describe.each(['cpu', 'wasm'])('boxRegressionLoss on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  // image 0: anchors 0 (positive), 1 (background), 2 (positive, class 3)
  const pred = [[[0.05, 0, 0, 0], [1, 1, 1, 1], [2, 0, 0, -0.1]]];

  it('smooth L1 (beta 1/9 default) and L1 sum over positives ÷ positives (hand-computed)', () => {
    // smooth L1: 0.05 → 0.5·0.05²·9 = 0.01125; 2 → 2 − 1/18; −0.1 → 0.5·0.01·9 = 0.045
    expect(loss(pred, [0, -1, 3])).toBeCloseTo((0.01125 + 2 - 1 / 18 + 0.045) / 2, 5);
    expect(loss(pred, [0, -1, 3], { type: 'l1' })).toBeCloseTo((0.05 + 2 + 0.1) / 2, 5);
    expect(loss(pred, [0, -1, 3], { beta: 0 })).toBeCloseTo((0.05 + 2 + 0.1) / 2, 5);
    expect(loss(pred, [0, -1, 3], { beta: 1 })).toBeCloseTo((0.5 * 0.05 ** 2 + 1.5 + 0.5 * 0.01) / 2, 5);
  });

  it('smooth L1 is continuous with a continuous slope at |d| = beta', () => {
    const beta = 0.5;
    const below = loss([[[beta - 1e-3, 0, 0, 0]]], [0], { beta });
    const above = loss([[[beta + 1e-3, 0, 0, 0]]], [0], { beta });
    expect(below).toBeCloseTo(0.5 * (beta - 1e-3) ** 2 / beta, 6);
    expect(above).toBeCloseTo(beta + 1e-3 - 0.5 * beta, 6);
    const g = tf.tidy(() => values(tf.grad((p: tf.Tensor) => boxRegressionLoss(p, tf.zeros([1, 2, 4]), Int32Array.from([0, 0]), { beta }))(tf.tensor3d([[[0.2, -0.2, 0.7, -0.7], [beta, 0, 0, 0]]]))));
    [0.2 / beta / 2, -0.2 / beta / 2, 1 / 2, -1 / 2, 1 / 2].forEach((e, i) => expect(g[i]).toBeCloseTo(e, 5));
  });

  it('L1 gradient is sign(pred − target) ÷ positives at positive anchors (0 where equal, as the reference), 0 elsewhere', () => {
    const g = tf.tidy(() => values(tf.grad((p: tf.Tensor) => boxRegressionLoss(p, tf.zeros([1, 3, 4]), Int32Array.from([0, -1, 3]), { type: 'l1' }))(tf.tensor3d(pred))));
    const expected = pred.flat(2).map((v, i) => (Math.floor(i / 4) === 1 ? 0 : Math.sign(v) / 2));
    expected.forEach((e, i) => expect(g[i]).toBeCloseTo(e, 6));
  });

  it('GIoU: 0 for the exact box, 1 for disjoint boxes whose hull is their union (hand-computed)', () => {
    const anchors = tf.tensor2d([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]]);
    // anchor 1 predicted one width to the right: [10, 0, 20, 10] vs [0, 0, 10, 10]: IoU 0, hull = union → 1
    // anchor 2 predicted twice as wide (dw = ln 2): [−5, 0, 15, 10] vs [0, 0, 10, 10]: IoU 0.5, hull = union → 0.5
    const got = loss([[[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, Math.log(2), 0]]], [0, 0, 1], { type: 'giou', anchors });
    expect(got).toBeCloseTo((0 + 1 + 0.5) / 3, 5);
    // disjoint with a gap: [20, 0, 30, 10] vs [0, 0, 10, 10]: hull 300, union 200 → 1 + 100/300
    expect(loss([[[2, 0, 0, 0]]], [0], { type: 'giou', anchors: tf.tensor2d([[0, 0, 10, 10]]) })).toBeCloseTo(1 + 1 / 3, 5);
    anchors.dispose();
  });

  it("normalizers: 'batch' ÷ all positives, 'per-image' the mean of per-image ratios, a number ÷ it", () => {
    const p = [[[1, 0, 0, 0], [2, 0, 0, 0]], [[3, 0, 0, 0], [0, 0, 0, 0]]];
    const labels = [0, 1, -1, 2]; // image 0: 2 positives (1 + 2); image 1: 1 positive (0)
    expect(loss(p, labels, { type: 'l1' })).toBeCloseTo(3 / 3, 6);
    expect(loss(p, labels, { type: 'l1' }, 'per-image')).toBeCloseTo((3 / 2 + 0 / 1) / 2, 6);
    expect(loss(p, labels, { type: 'l1' }, 7.5)).toBeCloseTo(3 / 7.5, 6);
    expect(loss(p, [-1, -1, -2, -1], { type: 'l1' })).toBe(0);
  });

  it('extreme deltas (past the dw/dh clamp) give finite GIoU and smooth-L1 gradients', () => {
    tf.tidy(() => {
      const anchors = tf.tensor2d([[0, 0, 16, 16], [10, 10, 20, 40]]);
      const p = tf.tensor3d([[[50, -50, 50, 50], [0, 0, -50, -50]]]);
      for (const type of ['giou', 'smooth-l1'] as const) {
        const g = tf.grad((x: tf.Tensor) => boxRegressionLoss(x, tf.zeros([1, 2, 4]), Int32Array.from([0, 1]), { type, anchors }))(p);
        expect(values(g).every(Number.isFinite)).toBe(true);
      }
    });
  });

  it('errors name the argument and the shapes', () => {
    tf.tidy(() => {
      const p = tf.zeros([1, 3, 4]);
      const labels = Int32Array.from([0, -1, 1]);
      expect(() => boxRegressionLoss(tf.zeros([1, 3, 5]), tf.zeros([1, 3, 5]), labels)).toThrow(/pred must be \[B, A, 4\] \(got \[1, 3, 5\]\)/);
      expect(() => boxRegressionLoss(p, tf.zeros([1, 2, 4]), labels)).toThrow(/pred \[1, 3, 4\] and target \[1, 2, 4\] must have the same shape/);
      expect(() => boxRegressionLoss(p, p, Int32Array.from([0, 1]))).toThrow(/labels must be \[B, A\] = \[1, 3\] \(got 2 values\)/);
      expect(() => boxRegressionLoss(p, p, Int32Array.from([0, -3, 1]))).toThrow(/labels must be an integer >= -2 \(got -3 at flat index 1/);
      expect(() => boxRegressionLoss(p, p, labels, { type: 'giou' })).toThrow(/type 'giou' needs anchors \[A, 4\] = \[3, 4\] \(got none\)/);
      expect(() => boxRegressionLoss(p, p, labels, { type: 'giou', anchors: tf.zeros([2, 4]) })).toThrow(/\(got \[2, 4\]\)/);
      expect(() => boxRegressionLoss(p, p, labels, { beta: -1 })).toThrow(/beta must be a finite number >= 0 \(got -1\)/);
      expect(() => boxRegressionLoss(p, p, labels, { type: 'iou' as never })).toThrow(/type must be 'l1', 'smooth-l1' or 'giou' \(got "iou"\)/);
      expect(() => boxRegressionLoss(p, p, labels, {}, -1)).toThrow(/normalizer must be/);
    });
  });
});
