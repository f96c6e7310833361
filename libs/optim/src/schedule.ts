/**
 * Learning-rate schedules: linear warmup, then step decay or cosine annealing — the two schedules of
 * the standard RetinaNet recipes (detectron2's WarmupMultiStepLR and WarmupCosineLR).
 */
export type ScheduleKind = 'step' | 'cosine';

export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warmup. */
  baseLr: number;
  /** Total number of optimizer steps of the run. */
  totalIterations: number;
  /** Iterations of linear warmup from `warmupFactor * baseLr` to `baseLr`. Default 0. */
  warmupIterations?: number;
  /** Starting fraction of the learning rate during warmup. Default 0.001. */
  warmupFactor?: number;
  /** 'step' (default): multiply by `gamma` at each milestone; 'cosine': anneal to `minLrFactor * baseLr`. */
  kind?: ScheduleKind;
  /** Milestones as fractions of `totalIterations` (step schedule). Default [2/3, 8/9] as in the 1x recipe. */
  milestones?: number[];
  /** Decay factor at each milestone. Default 0.1. */
  gamma?: number;
  /** Floor of the cosine schedule as a fraction of `baseLr`. Default 0. */
  minLrFactor?: number;
}

/** Learning rate for optimizer step `iteration` (0-based). Pure: resume needs only the iteration. */
export function learningRateAt(iteration: number, opts: ScheduleOptions): number {
  const warmup = opts.warmupIterations ?? 0;
  const warmupFactor = opts.warmupFactor ?? 0.001;
  const base = scheduledLr(iteration, opts);
  if (iteration >= warmup || warmup === 0) return base;
  const alpha = iteration / warmup;
  return base * (warmupFactor * (1 - alpha) + alpha);
}

function scheduledLr(iteration: number, opts: ScheduleOptions): number {
  const total = Math.max(1, opts.totalIterations);
  if ((opts.kind ?? 'step') === 'cosine') {
    const floor = (opts.minLrFactor ?? 0) * opts.baseLr;
    const progress = Math.min(1, iteration / total);
    return floor + 0.5 * (opts.baseLr - floor) * (1 + Math.cos(Math.PI * progress));
  }
  const milestones = (opts.milestones ?? [2 / 3, 8 / 9]).map((m) => Math.round(m * total));
  const passed = milestones.filter((m) => iteration >= m).length;
  return opts.baseLr * Math.pow(opts.gamma ?? 0.1, passed);
}

export interface ProgressScheduleOptions {
  /** Peak learning rate, reached at the end of warmup. */
  baseLr: number;
  /** Fraction of the run (0..1) spent in linear warmup from `warmupFactor * baseLr`. Default 0. */
  warmupFraction?: number;
  /** Default 0.001. */
  warmupFactor?: number;
  /** 'cosine' (anneals to 0 at progress 1) or 'step' (× gamma at each milestone fraction). */
  kind?: ScheduleKind;
  milestones?: number[];
  gamma?: number;
  minLrFactor?: number;
}

/**
 * Learning rate at `progress` ∈ [0, 1] of a run whose length is known only as a fraction — a time
 * budget: progress = elapsed / limit, so warmup and decay follow the clock and the cosine schedule
 * reaches its floor (0 by default) exactly when the time runs out, whatever the machine's speed.
 */
export function learningRateAtProgress(progress: number, opts: ProgressScheduleOptions): number {
  const p = Math.min(1, Math.max(0, progress));
  const base =
    (opts.kind ?? 'cosine') === 'cosine'
      ? (opts.minLrFactor ?? 0) * opts.baseLr + 0.5 * (1 - (opts.minLrFactor ?? 0)) * opts.baseLr * (1 + Math.cos(Math.PI * p))
      : opts.baseLr * Math.pow(opts.gamma ?? 0.1, (opts.milestones ?? [2 / 3, 8 / 9]).filter((m) => p >= m).length);
  const warmup = opts.warmupFraction ?? 0;
  if (warmup <= 0 || p >= warmup) return base;
  const alpha = p / warmup;
  const factor = opts.warmupFactor ?? 0.001;
  return base * (factor * (1 - alpha) + alpha);
}
