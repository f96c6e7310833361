import { learningRateAt } from './schedule';

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
