/** The learning rate of a retina-train step: the run config's schedule, by iteration or by the clock. */
import { learningRateAt, learningRateAtProgress } from '@retina/optim';
import type { RunConfig } from './run-config';

/**
 * Learning rate of the next step. With a time budget, warmup and decay follow the elapsed fraction of
 * it (or of the iteration budget, when that runs out first); otherwise the iteration schedule.
 */
export function learningRateFor(config: RunConfig, iteration: number, totalIterations: number, timeLimit: number | undefined, elapsedSeconds: number): number {
  const o = config.optim;
  if (timeLimit !== undefined) {
    const progress = Math.max(elapsedSeconds / timeLimit, Number.isFinite(totalIterations) ? iteration / totalIterations : 0);
    return learningRateAtProgress(progress, { baseLr: o.lr, warmupFraction: o.warmupFraction, kind: o.schedule });
  }
  return learningRateAt(iteration, {
    baseLr: o.lr,
    totalIterations,
    warmupIterations: Math.min(o.warmupIters, Math.floor(totalIterations / 2)),
    kind: o.schedule,
  });
}
