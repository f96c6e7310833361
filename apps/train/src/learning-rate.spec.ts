import { learningRateFor } from './learning-rate';
import type { RunConfig } from './run-config';

describe('learningRateFor', () => {
  it('the trainer follows the clock with --time-limit: lr ≈ 0 when the time is up, whatever the step count', () => {
    const config = { optim: { lr: 1e-3, schedule: 'cosine', warmupFraction: 0.05, warmupIters: 100 } } as unknown as RunConfig;
    expect(learningRateFor(config, 10, Infinity, 600, 600)).toBe(0);
    expect(learningRateFor(config, 10, Infinity, 600, 599.9)).toBeLessThan(1e-9);
    expect(learningRateFor(config, 10_000, Infinity, 600, 300)).toBeCloseTo(5e-4, 12);
    // an iteration budget that runs out first also ends the schedule
    expect(learningRateFor(config, 100, 100, 600, 60)).toBe(0);
    // without a time limit: the iteration schedule (warmup in steps)
    expect(learningRateFor(config, 50, 1000, undefined, 1e6)).toBeCloseTo(1e-3 * (0.001 * 0.5 + 0.5) * 0.5 * (1 + Math.cos(Math.PI * 0.05)), 12);
  });
});
