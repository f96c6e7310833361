import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LossArgumentError, createEmaNormalizer, retinaNetClassificationLoss, type ClassificationLossOptions } from './index';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

// B = 2 images × A = 3 anchors × C = 2 classes; image 0 has 1 positive, image 1 has 2.
const L = [
  [[2, -1], [0.5, 0.5], [-3, 4]],
  [[1, 1], [-2, 0], [0, 0]],
];
const LABELS = [1, -1, -2, 0, -1, 1];

/** Independent float64 elementwise loss: α_t (1 − p_t)^γ BCE, from the definition. */
function elementLoss(x: number, t: number, alpha: number, gamma: number): number {
  const p = 1 / (1 + Math.exp(-x));
  const pt = t ? p : 1 - p;
  const a = alpha < 0 ? 1 : t ? alpha : 1 - alpha;
  return -a * Math.pow(1 - pt, gamma) * Math.log(pt);
}

/** Per-image sums over non-ignored anchors, alpha per class. */
function imageSums(alpha: (c: number) => number, gamma: number): number[] {
  return L.map((anchors, b) =>
    anchors.reduce((s, row, a) => {
      const label = LABELS[3 * b + a];
      return label === -2 ? s : s + row.reduce((r, x, c) => r + elementLoss(x, label === c ? 1 : 0, alpha(c), gamma), 0);
    }, 0),
  );
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function loss(opts: ClassificationLossOptions = {}, labels: Int32Array | tf.Tensor = Int32Array.from(LABELS)): number {
  return tf.tidy(() => retinaNetClassificationLoss(tf.tensor3d(L), labels, opts).dataSync()[0]);
}

describe('retinaNetClassificationLoss', () => {
  it("'batch' (default): focal sum over non-ignored anchors ÷ positives in the batch", () => {
    const [s0, s1] = imageSums(() => 0.25, 2);
    expect(loss()).toBeCloseTo((s0 + s1) / 3, 5);
  });

  it("'per-image' (torchvision): mean over images of each image's sum ÷ its positives", () => {
    const [s0, s1] = imageSums(() => 0.25, 2);
    expect(loss({ normalizer: 'per-image' })).toBeCloseTo((s0 / 1 + s1 / 2) / 2, 5);
  });

  it('a number normalizer (an EMA, detectron2) divides the sum by it', () => {
    const ema = createEmaNormalizer(0.9);
    const n = ema.update(3);
    expect(n).toBeCloseTo(0.9 * 100 + 0.1 * 3, 12);
    const [s0, s1] = imageSums(() => 0.25, 2);
    expect(loss({ normalizer: n })).toBeCloseTo((s0 + s1) / n, 6);
  });

  it("kind 'ce' is plain BCE, 'balanced-ce' alpha-weighted BCE (gamma unused)", () => {
    const [c0, c1] = imageSums(() => -1, 0);
    expect(loss({ kind: 'ce', gamma: 5 })).toBeCloseTo((c0 + c1) / 3, 5);
    const [b0, b1] = imageSums(() => 0.25, 0);
    expect(loss({ kind: 'balanced-ce', gamma: 5 })).toBeCloseTo((b0 + b1) / 3, 5);
  });

  it('alpha < 0 switches the alpha term off', () => {
    const [s0, s1] = imageSums(() => -1, 2);
    expect(loss({ alpha: -1 })).toBeCloseTo((s0 + s1) / 3, 5);
  });

  it('perClassAlpha weights each class column by its own alpha', () => {
    const alpha = [0.1, 0.9];
    const [s0, s1] = imageSums((c) => alpha[c], 1.5);
    expect(loss({ perClassAlpha: alpha, gamma: 1.5 })).toBeCloseTo((s0 + s1) / 3, 5);
  });

  it('with no positives divides by 1, and an all-ignored batch costs 0 with a zero gradient', () => {
    const allIgnored = new Int32Array(6).fill(-2);
    expect(loss({}, allIgnored)).toBe(0);
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => retinaNetClassificationLoss(x, allIgnored))(tf.tensor3d(L)).dataSync());
    expect(Array.from(g).every((v) => v === 0)).toBe(true);
    const bg = Int32Array.from([-1, -1, -1, -1, -1, -1]);
    const expected = L.flat(2).reduce((s, x) => s + elementLoss(x, 0, 0.25, 2), 0);
    expect(loss({}, bg)).toBeCloseTo(expected, 5);
  });

  it('ignored anchors get no gradient; the others do', () => {
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => retinaNetClassificationLoss(x, Int32Array.from(LABELS)))(tf.tensor3d(L)).dataSync());
    expect([g[4], g[5]]).toEqual([0, 0]);
    expect(Array.from(g).filter((v) => v !== 0).length).toBe(10);
  });

  describe('errors name the argument and the shapes', () => {
    const bad = (opts: ClassificationLossOptions, labels: Int32Array | tf.Tensor = Int32Array.from(LABELS), logits?: tf.Tensor) => () =>
      tf.tidy(() => retinaNetClassificationLoss(logits ?? tf.tensor3d(L), labels, opts));

    it('labels out of range', () => {
      expect(bad({}, Int32Array.from([2, 0, 0, 0, 0, 0]))).toThrow(/labels must be -2 \(ignore\), -1 \(background\) or a class index in \[0, 1\] \(got 2 at flat index 0 of labels \[2, 3\]\)/);
      expect(bad({}, Int32Array.from([0, 0, -3, 0, 0, 0]))).toThrow(/got -3 at flat index 2/);
    });

    it('labels of the wrong shape (array or tensor)', () => {
      expect(bad({}, Int32Array.from([0]))).toThrow(/labels must be \[B, A\] = \[2, 3\] \(got 1 values\)/);
      const t = tf.zeros([3, 2], 'int32');
      expect(bad({}, t)).toThrow(/labels must be \[B, A\] = \[2, 3\] \(got \[3, 2\]\)/);
      t.dispose();
    });

    it('logits that are not [B, A, C]', () => {
      const x = tf.zeros([6, 2]);
      expect(bad({}, undefined, x)).toThrow(/logits must be \[B, A, C\] \(got \[6, 2\]\)/);
      x.dispose();
    });

    it('alpha, gamma, perClassAlpha, kind and normalizer', () => {
      expect(bad({ alpha: 1.5 })).toThrow(/alpha must be in \[0, 1\], or negative to disable it \(got 1.5\)/);
      expect(bad({ gamma: -1 })).toThrow(/gamma must be a finite number >= 0 \(got -1\)/);
      expect(bad({ perClassAlpha: [0.2, 1.5] })).toThrow(/perClassAlpha\[1\] must be in \[0, 1\] \(got 1.5\)/);
      expect(bad({ perClassAlpha: [0.2] })).toThrow(/logits \[2, 3, 2\] have 2 on the last axis, perClassAlpha has 1/);
      expect(bad({ kind: 'bce' as never })).toThrow(/kind must be 'focal', 'ce' or 'balanced-ce' \(got "bce"\)/);
      expect(bad({ normalizer: 0 })).toThrow(/normalizer must be 'batch', 'per-image' or a finite number > 0 \(got 0\)/);
      expect(thrown(bad({ gamma: -1 }))).toMatchObject({ name: 'LossArgumentError', fn: 'retinaNetClassificationLoss', argument: 'gamma' });
      expect(thrown(bad({ gamma: -1 }))).toBeInstanceOf(LossArgumentError);
    });
  });
});
