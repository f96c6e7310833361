/**
 * Sigmoid focal loss (Lin et al. 2017) with the meaning of torchvision's `sigmoid_focal_loss`, for
 * targets t ∈ [0, 1] (soft labels included):
 *   FL = α_t · (1 − p_t)^γ · BCE(x, t),   p = σ(x),   p_t = p·t + (1 − p)(1 − t),
 *   α_t = α·t + (1 − α)(1 − t)   (α < 0: no α term),
 * and the plain / alpha-balanced sigmoid cross-entropy with the same call shape (γ = 0).
 * The stable elementwise form and its gradient live in soft-focal-term.ts. Nothing is read back from
 * the engine unless `checkTargets` asks for it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, checkAlpha, checkGamma, checkPerClassAlpha, checkSameShape, checkUnitInterval } from './errors';
import { softFocalTerm } from './soft-focal-term';
import { sumAll } from './reduce';

export type Reduction = 'none' | 'mean' | 'sum';

export interface FocalOptions {
  /** Weight of positives in [0, 1] (negatives get 1 − alpha); any negative value disables the term. Default 0.25. */
  alpha?: number;
  /** One alpha per class — the logits' last axis — each in [0, 1]; overrides `alpha`. See `classBalancedAlpha`. */
  perClassAlpha?: readonly number[];
  /** Focusing parameter γ ≥ 0. Default 2; 0 gives (alpha-balanced) cross-entropy. */
  gamma?: number;
  /** 'none' (default): the elementwise loss, shaped like the logits; 'mean' / 'sum': a scalar. */
  reduction?: Reduction;
  /**
   * Read the targets back (one engine sync) and throw a LossArgumentError unless every value is in
   * [0, 1]. Default false: targets outside [0, 1] then give meaningless values (NaN for some γ).
   */
  checkTargets?: boolean;
}

export type CrossEntropyOptions = Omit<FocalOptions, 'gamma'>;

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

export function checkReduction(fn: string, reduction: string): void {
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new LossArgumentError(fn, 'reduction', `reduction must be 'none', 'mean' or 'sum' (got ${JSON.stringify(reduction)})`);
  }
}

export function reduce(loss: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'sum') return sumAll(loss);
  if (reduction === 'mean') return tf.div(sumAll(loss), loss.size);
  return loss;
}

/** The tensor itself when float32 (no copy), else cast. */
export function asFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

/** The α tensor for focalTerm: per-class [C], a scalar, or none (α < 0). */
export function alphaTensor(alpha: number, perClassAlpha: readonly number[] | undefined): tf.Tensor | undefined {
  if (perClassAlpha) return tf.tensor1d(perClassAlpha as number[]);
  return alpha >= 0 ? tf.scalar(alpha) : undefined;
}

function binaryLoss(fn: string, logits: tf.Tensor, targets: tf.Tensor, alpha: number, gamma: number, opts: FocalOptions): tf.Tensor {
  const reduction = opts.reduction ?? 'none';
  checkAlpha(fn, alpha);
  checkGamma(fn, gamma);
  checkReduction(fn, reduction);
  checkSameShape(fn, logits.shape, 'logits', targets.shape, 'targets');
  if (opts.perClassAlpha) {
    if (logits.rank === 0) throw new LossArgumentError(fn, 'perClassAlpha', 'perClassAlpha needs logits with a class axis (got a scalar)');
    checkPerClassAlpha(fn, opts.perClassAlpha, logits.shape[logits.rank - 1], logits.shape);
  }
  if (opts.checkTargets) checkUnitInterval(fn, targets.dataSync(), targets.shape);
  return tf.tidy(() => {
    const loss = softFocalTerm(asFloat(logits), asFloat(targets), gamma, alphaTensor(alpha, opts.perClassAlpha));
    return reduce(loss, reduction);
  });
}

/**
 * Sigmoid focal loss, any rank, any engine; values and gradients equal the reference's, for hard and
 * soft targets. No engine sync (targets are not read back) unless `opts.checkTargets`.
 * @param logits float32, any shape
 * @param targets same shape, every value in [0, 1] (float32; int32 or bool for 0/1)
 */
export function sigmoidFocalLoss(logits: tf.Tensor, targets: tf.Tensor, opts: FocalOptions = {}): tf.Tensor {
  return binaryLoss('sigmoidFocalLoss', logits, targets, opts.alpha ?? 0.25, opts.gamma ?? 2, opts);
}

/**
 * Sigmoid cross-entropy with the call shape of `sigmoidFocalLoss`, for focal-vs-CE ablations. Without
 * `alpha` (default −1: off) it is plain BCE with logits; with `alpha` / `perClassAlpha`, the
 * alpha-balanced CE of the focal-loss paper (= sigmoidFocalLoss with gamma 0).
 */
export function sigmoidCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, opts: CrossEntropyOptions = {}): tf.Tensor {
  return binaryLoss('sigmoidCrossEntropy', logits, targets, opts.alpha ?? -1, 0, opts);
}
