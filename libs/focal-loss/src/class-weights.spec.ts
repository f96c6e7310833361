import { classBalancedAlpha, classBalancedWeights } from './index';

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('class-balanced weights and alpha', () => {
  it('inverse frequency: w ∝ 1/n, averaging 1', () => {
    const w = classBalancedWeights([100, 10, 1], { method: 'inverse-frequency' });
    const raw = [0.01, 0.1, 1];
    raw.forEach((r, i) => expect(w[i]).toBeCloseTo(r / mean(raw), 12));
    expect(mean(w)).toBeCloseTo(1, 12);
  });

  it('effective number (Cui et al.): w ∝ (1 − β)/(1 − β^n), hand-computed for β = 0.9', () => {
    const w = classBalancedWeights([1, 2, 1000], { beta: 0.9 });
    const raw = [0.1 / 0.1, 0.1 / 0.19, 0.1 / (1 - 0.9 ** 1000)];
    raw.forEach((r, i) => expect(w[i]).toBeCloseTo(r / mean(raw), 12));
  });

  it('β = 0 gives equal weights; β → 1 approaches inverse frequency', () => {
    expect(classBalancedWeights([5, 500, 50000], { beta: 0 })).toEqual([1, 1, 1]);
    const near = classBalancedWeights([5, 50], { beta: 0.999999 });
    const inv = classBalancedWeights([5, 50], { method: 'inverse-frequency' });
    near.forEach((v, i) => expect(v).toBeCloseTo(inv[i], 3));
  });

  it('alpha: equal counts give RetinaNet’s 0.25 everywhere; rare classes get more, capped at max', () => {
    classBalancedAlpha([40, 40, 40]).forEach((a) => expect(a).toBeCloseTo(0.25, 12));
    const a = classBalancedAlpha([1000, 100, 10], { method: 'inverse-frequency' });
    const raw = [0.001, 0.01, 0.1];
    raw.forEach((r, i) => expect(a[i]).toBeCloseTo((0.25 * r) / mean(raw), 12));
    // one rare class among three common ones: 0.25 · 1 / mean(0.001, 0.001, 0.001, 1) ≈ 0.997 → the cap
    const capped = classBalancedAlpha([1000, 1000, 1000, 1], { method: 'inverse-frequency' });
    expect(capped[3]).toBe(0.75);
    expect(capped[0]).toBeCloseTo((0.25 * 0.001) / mean([0.001, 0.001, 0.001, 1]), 12);
    const b = classBalancedAlpha([3, 1], { method: 'inverse-frequency', mean: 0.5, max: 1 });
    [0.25, 0.75].forEach((e, i) => expect(b[i]).toBeCloseTo(e, 12));
  });

  it('a class with no samples counts as one', () => {
    expect(classBalancedWeights([0, 1, 4], { method: 'inverse-frequency' })).toEqual(classBalancedWeights([1, 1, 4], { method: 'inverse-frequency' }));
  });

  it('rejects empty or negative counts and out-of-range options, naming them', () => {
    expect(() => classBalancedWeights([])).toThrow(/counts must name at least one class/);
    expect(() => classBalancedWeights([3, -1])).toThrow(/counts\[1\] must be a count >= 0 \(got -1\)/);
    expect(() => classBalancedWeights([3], { beta: 1 })).toThrow(/beta must be in \[0, 1\) \(got 1\)/);
    expect(() => classBalancedWeights([3], { method: 'sqrt' as never })).toThrow(/method must be 'effective-number' or 'inverse-frequency'/);
    expect(() => classBalancedAlpha([3], { mean: 0 })).toThrow(/Error in classBalancedAlpha: mean must be in \(0, 1\] \(got 0\)/);
    expect(() => classBalancedAlpha([3], { max: 1.5 })).toThrow(/max must be in \(0, 1\] \(got 1.5\)/);
  });
});
