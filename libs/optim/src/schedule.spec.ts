import { learningRateAt, learningRateAtProgress } from './schedule';

describe('learningRateAt', () => {
  it('warms up linearly from warmupFactor * lr to lr', () => {
    const opts = { baseLr: 0.01, totalIterations: 1000, warmupIterations: 100, warmupFactor: 0.1 };
    expect(learningRateAt(0, opts)).toBeCloseTo(0.001, 12);
    expect(learningRateAt(50, opts)).toBeCloseTo(0.01 * (0.1 * 0.5 + 0.5), 12);
    expect(learningRateAt(100, opts)).toBeCloseTo(0.01, 12);
  });

  it('steps down by gamma at each milestone (fractions of the run)', () => {
    const opts = { baseLr: 1, totalIterations: 90, milestones: [0.5, 0.8], gamma: 0.1 };
    expect(learningRateAt(44, opts)).toBe(1);
    expect(learningRateAt(45, opts)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(71, opts)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(72, opts)).toBeCloseTo(0.01, 12);
  });

  it('anneals with a half cosine to the floor', () => {
    const opts = { baseLr: 2, totalIterations: 100, kind: 'cosine' as const, minLrFactor: 0.5 };
    expect(learningRateAt(0, opts)).toBeCloseTo(2, 12);
    expect(learningRateAt(50, opts)).toBeCloseTo(1.5, 12);
    expect(learningRateAt(100, opts)).toBeCloseTo(1, 12);
  });
});

describe('learningRateAtProgress (a time budget)', () => {
  it('warms up over the first fraction, peaks, and anneals to 0 exactly at progress 1 (and stays there)', () => {
    const opts = { baseLr: 4e-4, warmupFraction: 0.1, warmupFactor: 0.001 };
    expect(learningRateAtProgress(0, opts)).toBeCloseTo(4e-7, 15);
    expect(learningRateAtProgress(0.05, opts)).toBeCloseTo(4e-4 * (0.001 * 0.5 + 0.5) * 0.5 * (1 + Math.cos(Math.PI * 0.05)), 15);
    expect(learningRateAtProgress(0.5, opts)).toBeCloseTo(2e-4, 15);
    expect(learningRateAtProgress(1, opts)).toBe(0);
    expect(learningRateAtProgress(1.3, opts)).toBe(0);
  });
});
