/**
 * Sigmoid focal loss (Lin et al. 2017) with the meaning of torchvision's `sigmoid_focal_loss`:
 *   FL = α_t · (1 − p_t)^γ · BCE(x, t),   p = σ(x),   p_t = p·t + (1 − p)(1 − t),
 *   α_t = α·t + (1 − α)(1 − t)   (α < 0: no α term),
 * and the plain / alpha-balanced sigmoid cross-entropy with the same call shape (γ = 0).
 * The stable elementwise form and its gradient live in focal-term.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, checkAlpha, checkBinary, checkGamma, checkPerClassAlpha, checkSameShape } from './errors';
import { focalTerm, signsOf } from './focal-term';
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
  checkBinary(fn, targets.dataSync(), targets.shape);
  return tf.tidy(() => {
    const loss = focalTerm(asFloat(logits), signsOf(targets), gamma, { alpha: alphaTensor(alpha, opts.perClassAlpha) });
    return reduce(loss, reduction);
  });
}

/**
 * Sigmoid focal loss, any rank, any engine; values and gradients equal the reference's.
 * Targets are read back once to check they are 0/1 (the reference's contract; soft targets would be
 * silently wrong in the stable form).
 * @param logits float32, any shape
 * @param targets same shape, every value 0 or 1 (float32, int32 or bool)
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
