import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sigmoidFocalLoss } from './index';
import { focalReference } from './__fixtures__/reference';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** float32-representable logits, where a float64 reference is meaningful. */
const logitArb = fc.float({ min: -20, max: 20, noNaN: true, noDefaultInfinity: true });
const caseArb = fc.array(fc.tuple(logitArb, fc.boolean()), { minLength: 1, maxLength: 12 });
const alphaArb = fc.oneof(fc.constant(-1), fc.double({ min: 0, max: 1, noNaN: true }));
const gammaArb = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true }));
const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Central difference of the float64 reference. */
function referenceSlope(x: number, t: number, alpha: number, gamma: number): number {
  const h = 1e-5;
  return (focalReference(x + h, t, alpha, gamma) - focalReference(x - h, t, alpha, gamma)) / (2 * h);
}

function run(c: [number, boolean][], alpha: number, gamma: number, reduction: 'none' | 'sum' | 'mean' = 'none') {
  return tf.tidy(() => {
    const x = tf.tensor1d(c.map((v) => v[0]));
    const t = tf.tensor1d(c.map((v) => +v[1]));
    const loss = values(sigmoidFocalLoss(x, t, { alpha, gamma, reduction }));
    const grad = values(tf.grad((z: tf.Tensor) => tf.sum(sigmoidFocalLoss(z, t, { alpha, gamma })))(x));
    return { loss, grad };
  });
}

describe('sigmoidFocalLoss properties (fast-check, float64 references)', () => {
  it('value equals the definition for any alpha (or none) and gamma >= 0', () => {
    fc.assert(
      fc.property(caseArb, alphaArb, gammaArb, (c, alpha, gamma) => {
        const { loss } = run(c, alpha, gamma);
        c.forEach(([x, t], i) => expect(Math.abs(loss[i] - focalReference(x, +t, alpha, gamma))).toBeLessThanOrEqual(1e-5 * Math.max(1e-1, loss[i])));
      }),
    );
  });

  it('gradient equals the central difference of the definition', () => {
    fc.assert(
      fc.property(caseArb, alphaArb, gammaArb, (c, alpha, gamma) => {
        const { grad } = run(c, alpha, gamma);
        c.forEach(([x, t], i) => {
          const e = referenceSlope(x, +t, alpha, gamma);
          expect(Math.abs(grad[i] - e)).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(e));
        });
      }),
    );
  });

  it('with gamma = 0 equals alpha-weighted binary cross-entropy', () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0, max: 1, noNaN: true }), (c, alpha) => {
        const { loss } = run(c, alpha, 0);
        c.forEach(([x, t], i) => {
          const bce = t ? Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
          const e = (t ? alpha : 1 - alpha) * bce;
          expect(Math.abs(loss[i] - e)).toBeLessThanOrEqual(1e-6 + 1e-5 * e);
        });
      }),
    );
  });

  it('is >= 0 and does not grow as the true-class logit increases', () => {
    const step = fc.float({ min: Math.fround(0.01), max: 5, noNaN: true });
    fc.assert(
      fc.property(logitArb, step, fc.boolean(), alphaArb, gammaArb, (x, dx, positive, alpha, gamma) => {
        const towardsTrue = positive ? dx : -dx;
        const [now, later] = run([[x, positive], [x + towardsTrue, positive]], alpha, gamma).loss;
        expect(now).toBeGreaterThanOrEqual(0);
        expect(later).toBeLessThanOrEqual(now);
      }),
    );
  });

  it('values and gradients are finite for logits up to ±100 (and ±1e4), any alpha and gamma', () => {
    const extremeArb = fc.oneof(fc.constantFrom(-1e4, -100, -88, 88, 100, 1e4), fc.float({ min: -100, max: 100, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.tuple(extremeArb, fc.boolean()), { minLength: 1, maxLength: 12 }), alphaArb, gammaArb, (c, alpha, gamma) => {
        const { loss, grad } = run(c, alpha, gamma);
        expect([...loss, ...grad].every(Number.isFinite)).toBe(true);
        loss.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
      }),
    );
  });

  it('sum = mean × count', () => {
    fc.assert(
      fc.property(caseArb, alphaArb, gammaArb, (c, alpha, gamma) => {
        const [sum] = run(c, alpha, gamma, 'sum').loss;
        const [mean] = run(c, alpha, gamma, 'mean').loss;
        expect(Math.abs(sum - mean * c.length)).toBeLessThanOrEqual(1e-6 + 1e-5 * sum);
      }),
    );
  });
});
