/**
 * Per-class weights from class counts, for imbalanced data (rare classes weigh more):
 * - 'inverse-frequency': w_c ∝ 1 / n_c
 * - 'effective-number' (Cui et al. 2019, "Class-Balanced Loss Based on Effective Number of Samples"):
 *   w_c ∝ (1 − β) / (1 − β^n_c). β = 0 gives equal weights; β → 1 approaches inverse frequency.
 * As in the paper, the weights are scaled to average 1 over the classes. A class with no samples counts
 * as one sample.
 */
import { LossArgumentError } from './errors';

export type ClassWeightMethod = 'effective-number' | 'inverse-frequency';

export interface ClassWeightOptions {
  /** Default 'effective-number'. */
  method?: ClassWeightMethod;
  /** β of the effective number, in [0, 1). Default 0.999 (the paper's usual choice). */
  beta?: number;
}

export interface ClassAlphaOptions extends ClassWeightOptions {
  /** Average alpha over the classes, in (0, 1]. Default 0.25 (RetinaNet's alpha): equal counts give 0.25 each. */
  mean?: number;
  /**
   * Upper bound, in (0, 1]. Default 0.75. Negatives of class c weigh 1 − α_c, so an alpha near 1 would
   * stop the loss from pushing that class down anywhere.
   */
  max?: number;
}

function checkUnitInterval(fn: string, name: string, v: number, closedAtZero: boolean, closedAtOne: boolean): void {
  const ok = (closedAtZero ? v >= 0 : v > 0) && (closedAtOne ? v <= 1 : v < 1);
  if (!ok) throw new LossArgumentError(fn, name, `${name} must be in ${closedAtZero ? '[' : '('}0, 1${closedAtOne ? ']' : ')'} (got ${v})`);
}

function weights(fn: string, counts: readonly number[], opts: ClassWeightOptions): number[] {
  if (counts.length === 0) throw new LossArgumentError(fn, 'counts', 'counts must name at least one class (got [])');
  counts.forEach((n, i) => {
    if (!(n >= 0) || !Number.isFinite(n)) throw new LossArgumentError(fn, 'counts', `counts[${i}] must be a count >= 0 (got ${n})`);
  });
  const method = opts.method ?? 'effective-number';
  if (method !== 'effective-number' && method !== 'inverse-frequency') {
    throw new LossArgumentError(fn, 'method', `method must be 'effective-number' or 'inverse-frequency' (got ${JSON.stringify(method)})`);
  }
  const beta = opts.beta ?? 0.999;
  checkUnitInterval(fn, 'beta', beta, true, false);
  const raw = counts.map((n) => {
    const m = Math.max(1, n);
    return method === 'inverse-frequency' ? 1 / m : (1 - beta) / (1 - Math.pow(beta, m));
  });
  const mean = raw.reduce((s, w) => s + w, 0) / raw.length;
  return raw.map((w) => w / mean);
}

/**
 * Class-balanced weights, averaging 1 — e.g. `perClassAlpha` of `softmaxFocalLoss`.
 * @param counts samples (or positive anchors) per class, index = class
 */
export function classBalancedWeights(counts: readonly number[], opts: ClassWeightOptions = {}): number[] {
  return weights('classBalancedWeights', counts, opts);
}

/**
 * Per-class alpha for the sigmoid losses' `perClassAlpha`: the class-balanced weights × `mean`,
 * capped at `max` (so the average is `mean` unless the cap bites).
 * @param counts samples (or positive anchors) per class, index = class
 */
export function classBalancedAlpha(counts: readonly number[], opts: ClassAlphaOptions = {}): number[] {
  const fn = 'classBalancedAlpha';
  const mean = opts.mean ?? 0.25;
  const max = opts.max ?? 0.75;
  checkUnitInterval(fn, 'mean', mean, false, true);
  checkUnitInterval(fn, 'max', max, false, true);
  return weights(fn, counts, opts).map((w) => Math.min(max, w * mean));
}
