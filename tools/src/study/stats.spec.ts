import { welchT } from './report';
import { bestF1Point, convergence, formatMeanSd, meanCurve, meanSd, meanValidationCurve, recallAtPrecision } from './stats';

describe('meanSd', () => {
  it('is the mean and the sample (n − 1) standard deviation', () => {
    // mean 2; squared deviations 1 + 0 + 1 = 2; 2 / (3 − 1) = 1 → sd 1
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
    // mean 0.5; deviations ±0.1 → (0.01 + 0.01) / 1 = 0.02 → sd √0.02
    const m = meanSd([0.4, 0.6]);
    expect(m.mean).toBeCloseTo(0.5, 12);
    expect(m.sd).toBeCloseTo(Math.SQRT2 / 10, 12);
  });

  it('leaves undefined values (null) out, is 0 ± 0 for one value and NaN for none', () => {
    expect(meanSd([null, 4, null, 6])).toMatchObject({ mean: 5, n: 2 });
    expect(meanSd([0.3])).toEqual({ mean: 0.3, sd: 0, n: 1 });
    const none = meanSd([null]);
    expect([none.n, Number.isNaN(none.mean), Number.isNaN(none.sd)]).toEqual([0, true, true]);
  });

  it('formats as "mean ± sd", noting seeds that were undefined', () => {
    expect(formatMeanSd(meanSd([1, 2, 3]), 3)).toBe('2.000 ± 1.000');
    expect(formatMeanSd(meanSd([0.25, null, 0.75]), 3)).toBe('0.500 ± 0.354 (n = 2)');
    expect(formatMeanSd(meanSd([null, null]), 2)).toBe('–');
  });
});

describe('welchT', () => {
  it('divides the difference of means by the pooled standard error √(s₁²/n₁ + s₂²/n₂)', () => {
    // a: 1, 2, 3 (mean 2, sd 1); b: 0, 0, 0 (mean 0, sd 0) → se = √(1/3) → t = 2 / 0.57735 = 3.4641
    expect(welchT(meanSd([1, 2, 3]), meanSd([0, 0, 0]))).toBeCloseTo(2 * Math.sqrt(3), 10);
    expect(welchT(meanSd([0, 0, 0]), meanSd([1, 2, 3]))).toBeCloseTo(-2 * Math.sqrt(3), 10);
  });

  it('is NaN with fewer than two seeds a side or no spread at all', () => {
    expect(welchT(meanSd([1]), meanSd([1, 2]))).toBeNaN();
    expect(welchT(meanSd([1, 1]), meanSd([2, 2]))).toBeNaN();
  });
});

describe('recall at a precision, and the best-F1 point', () => {
  // An interpolated (non-increasing) PR curve at recall 0, 0.1, …, 0.5; nothing found beyond 0.5.
  const curve = {
    recall: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    precision: [1, 1, 0.9, 0.8, 0.6, 0.5, 0, 0, 0, 0, 0],
  };

  it('is the highest recall whose precision reaches the given one', () => {
    expect(recallAtPrecision(curve, 0.8)).toBe(0.3);
    expect(recallAtPrecision(curve, 0.85)).toBe(0.2);
    expect(recallAtPrecision(curve, 0.5)).toBe(0.5);
    expect(recallAtPrecision(curve, 1)).toBe(0.1);
  });

  it('is 0 when the precision is never reached, or the curve is empty', () => {
    expect(recallAtPrecision({ recall: [0, 0.5, 1], precision: [0.4, 0.3, 0] }, 0.5)).toBe(0);
    expect(recallAtPrecision({ recall: [0, 0.5, 1], precision: [0, 0, 0] }, 0.5)).toBe(0);
  });

  it('finds the point of highest F1 = 2pr / (p + r)', () => {
    // F1 at r = 0.3: 2·0.8·0.3/1.1 = 0.4364; r = 0.4: 0.48/1.0 = 0.48; r = 0.5: 0.5/1.0 = 0.5 (best); r = 0.2: 0.36/1.1
    const best = bestF1Point(curve);
    expect(best).toEqual({ recall: 0.5, precision: 0.5, f1: 0.5 });
  });

  it('has no best-F1 point when nothing was found', () => {
    expect(bestF1Point({ recall: [0, 0.5, 1], precision: [0, 0, 0] })).toBeNull();
    expect(bestF1Point({ recall: [0, 0.5], precision: [1, 0] })).toBeNull(); // recall 0 gives F1 0
  });

  it('takes the mean of curves point by point', () => {
    const a = { recall: [0, 0.5, 1], precision: [1, 0.5, 0] };
    const b = { recall: [0, 0.5, 1], precision: [0.8, 0.3, 0.2] };
    const m = meanCurve([a, b]);
    expect(m.recall).toEqual([0, 0.5, 1]);
    expect(m.precision.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.9, 0.4, 0.1]);
  });
});

describe('convergence', () => {
  const curve = (aps: number[]) => aps.map((ap, i) => ({ iteration: (i + 1) * 100, ap }));

  it('has flattened when the last quarter of the steps adds less than 0.01 AP to the best before it', () => {
    // 800 steps: the last quarter is steps > 600 (points at 700 and 800)
    const flat = convergence(curve([0.1, 0.3, 0.5, 0.6, 0.65, 0.66, 0.665, 0.668]), 800);
    expect(flat?.lateGain).toBeCloseTo(0.668 - 0.66, 12);
    expect(flat?.converged).toBe(true);
    const rising = convergence(curve([0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65]), 800);
    expect(rising?.lateGain).toBeCloseTo(0.1, 12);
    expect(rising?.converged).toBe(false);
  });

  it('counts a fall in the last quarter as flattened (negative gain)', () => {
    const c = convergence(curve([0.2, 0.4, 0.5, 0.52, 0.5, 0.51, 0.49, 0.5]), 800);
    expect(c?.lateGain).toBeCloseTo(0.5 - 0.52, 12);
    expect(c?.converged).toBe(true);
  });

  it('cannot say with no validation in one of the two parts', () => {
    expect(convergence(curve([0.1, 0.2]), 800)).toBeNull();
    expect(convergence([{ iteration: 800, ap: 0.3 }], 800)).toBeNull();
  });
});

describe('meanValidationCurve', () => {
  it('averages the seeds step by step, and the mean curve can be tested for flattening like a run', () => {
    const a = [{ iteration: 100, ap: 0.2 }, { iteration: 200, ap: 0.5 }, { iteration: 300, ap: 0.52 }, { iteration: 400, ap: 0.6 }];
    const b = [{ iteration: 100, ap: 0.4 }, { iteration: 200, ap: 0.5 }, { iteration: 300, ap: 0.58 }, { iteration: 400, ap: 0.56 }];
    const m = meanValidationCurve([a, b]);
    expect(m.map((p) => p.iteration)).toEqual([100, 200, 300, 400]);
    expect(m.map((p) => Math.round(p.ap * 1e9) / 1e9)).toEqual([0.3, 0.5, 0.55, 0.58]);
    // last quarter = steps > 300: 0.58 − max(0.3, 0.5, 0.55) = 0.03; a alone gains 0.08, b alone −0.02
    expect(convergence(m, 400)?.lateGain).toBeCloseTo(0.03, 12);
    expect(convergence(a, 400)?.lateGain).toBeCloseTo(0.08, 12);
    expect(convergence(b, 400)?.lateGain).toBeCloseTo(-0.02, 12);
  });

  it('is empty for no curves and refuses curves validated at different steps', () => {
    expect(meanValidationCurve([])).toEqual([]);
    expect(() => meanValidationCurve([[{ iteration: 100, ap: 0.1 }], [{ iteration: 200, ap: 0.1 }]])).toThrow(/different steps \(100 vs 200\)/);
  });
});
