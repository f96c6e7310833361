/**
 * Softmax focal loss for multi-class dense prediction (segmentation), one label per element:
 *   FL = −α_y · (1 − p_y)^γ · log p_y,   log p = logSoftmax(logits) (stable),
 * with an optional ignore index: those elements contribute 0 and are not counted by 'mean'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, checkGamma, shapeText } from './errors';
import type { LabelsInput } from './labels';
import { sumAll } from './reduce';
import { checkReduction, type Reduction } from './sigmoid-focal';

export interface SoftmaxFocalOptions {
  /** A weight > 0 on every element. Default 1 (unlike the sigmoid losses, not a positive/negative balance). */
  alpha?: number;
  /** One weight > 0 per class (length C), applied by each element's label; overrides `alpha`. See `classBalancedWeights`. */
  perClassAlpha?: readonly number[];
  /** Focusing parameter γ ≥ 0. Default 2; 0 gives (weighted) cross-entropy. */
  gamma?: number;
  /** 'none' (default): per element, the logits' shape without the class axis; 'sum'; 'mean' over non-ignored elements. */
  reduction?: Reduction;
  /** A label value to skip (e.g. 255 for "void"). Default: none. */
  ignoreIndex?: number;
}

/** Added to the true class's log-probability to drop it from a log-sum-exp (exp(−1e4) is 0 in float32). */
const MASKED_LOG_PROB = -1e4;

/**
 * log(1 − p_y) as the log-sum-exp of the other classes' log p: finite, with a finite gradient, even
 * where p_y rounds to 1 — there (1 − p_y)^γ has an infinite gradient for γ < 1.
 */
function logOneMinusP(logProbs: tf.Tensor, oneHot: tf.Tensor): tf.Tensor {
  return tf.logSumExp(tf.add(logProbs, tf.mul(oneHot, MASKED_LOG_PROB)), -1);
}

function checkOptions(fn: string, opts: SoftmaxFocalOptions, numClasses: number): void {
  const alpha = opts.alpha ?? 1;
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new LossArgumentError(fn, 'alpha', `alpha must be a finite weight > 0 (got ${alpha})`);
  const per = opts.perClassAlpha;
  if (per && per.length !== numClasses) throw new LossArgumentError(fn, 'perClassAlpha', `perClassAlpha needs one weight per class (C = ${numClasses}, got ${per.length})`);
  per?.forEach((w, i) => {
    if (!(w > 0) || !Number.isFinite(w)) throw new LossArgumentError(fn, 'perClassAlpha', `perClassAlpha[${i}] must be a finite weight > 0 (got ${w})`);
  });
  checkGamma(fn, opts.gamma ?? 2);
  checkReduction(fn, opts.reduction ?? 'none');
}

/** The labels' values after checking their shape (logits' without the class axis) and range. */
function readClassLabels(fn: string, labels: LabelsInput, logitsShape: number[], ignoreIndex: number | undefined): Int32Array {
  const outer = logitsShape.slice(0, -1);
  const size = outer.reduce((p, d) => p * d, 1);
  const c = logitsShape[logitsShape.length - 1];
  const shapeOk = labels instanceof Int32Array ? labels.length === size : labels.rank === outer.length && labels.shape.every((d, i) => d === outer[i]);
  if (!shapeOk) {
    const got = labels instanceof Int32Array ? `${labels.length} values` : shapeText(labels.shape);
    throw new LossArgumentError(fn, 'labels', `labels must be ${shapeText(outer)}, logits ${shapeText(logitsShape)} without the class axis (got ${got})`);
  }
  const values = labels instanceof Int32Array ? labels : labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const l = values[i];
    if (l !== ignoreIndex && !(Number.isInteger(l) && l >= 0 && l < c)) {
      const also = ignoreIndex === undefined ? '' : ` or ignoreIndex ${ignoreIndex}`;
      throw new LossArgumentError(fn, 'labels', `labels must be class indices in [0, ${c - 1}]${also} (got ${l} at flat index ${i} of labels ${shapeText(outer)})`);
    }
  }
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

/**
 * @param logits [..., C] float32
 * @param labels [...] (logits' shape without the last axis): int32 tensor or row-major Int32Array
 */
export function softmaxFocalLoss(logits: tf.Tensor, labels: LabelsInput, opts: SoftmaxFocalOptions = {}): tf.Tensor {
  const fn = 'softmaxFocalLoss';
  if (logits.rank < 1) throw new LossArgumentError(fn, 'logits', 'logits must be [..., C] (got a scalar)');
  const c = logits.shape[logits.rank - 1];
  checkOptions(fn, opts, c);
  const values = readClassLabels(fn, labels, logits.shape, opts.ignoreIndex);
  const gamma = opts.gamma ?? 2;
  return tf.tidy(() => {
    const label = tf.tensor(values, logits.shape.slice(0, -1), 'int32');
    const kept = opts.ignoreIndex === undefined ? tf.onesLike(label) : tf.cast(tf.notEqual(label, opts.ignoreIndex), 'int32');
    const oneHot = tf.cast(tf.oneHot(tf.mul(label, kept), c), 'float32'); // not oneHot(.., 'float32'): wrong on wasm
    const logProbs = tf.logSoftmax(tf.cast(logits, 'float32'));
    const logP = tf.sum(tf.mul(logProbs, oneHot), -1);
    let loss = tf.neg(logP);
    if (gamma !== 0) loss = tf.mul(loss, tf.exp(tf.mul(logOneMinusP(logProbs, oneHot), gamma)));
    const weight = opts.perClassAlpha ? tf.sum(tf.mul(oneHot, tf.tensor1d(opts.perClassAlpha as number[])), -1) : tf.scalar(opts.alpha ?? 1);
    const keptF = tf.cast(kept, 'float32');
    loss = tf.mul(tf.mul(loss, weight), keptF);
    if (opts.reduction === 'sum') return sumAll(loss);
    if (opts.reduction === 'mean') return tf.div(sumAll(loss), tf.maximum(tf.sum(keptF), 1));
    return loss;
  });
}
