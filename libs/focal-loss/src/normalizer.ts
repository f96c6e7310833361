/**
 * RetinaNet divides its summed losses by the number of positive anchors. Three variants:
 * - 'batch' (the paper; DESIGN.md; default): the batch's sum ÷ max(1, positives in the batch).
 * - 'per-image' (torchvision): each image's sum ÷ max(1, its positives), then the mean over images.
 * - a number, e.g. detectron2's moving average `ema.update(countPositives(labels))` (momentum 0.9,
 *   from 100): smoother when batches hold few objects. The EMA is updated by its owner once per step,
 *   never by a loss call, so a validation pass or a second loss cannot move it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError } from './errors';
import { countPositives, positivesPerImage } from './labels';
import { sumAll } from './reduce';

export type Normalizer = 'batch' | 'per-image' | number;

export function checkNormalizer(fn: string, normalizer: Normalizer): void {
  if (normalizer === 'batch' || normalizer === 'per-image') return;
  if (typeof normalizer !== 'number' || !(normalizer > 0) || !Number.isFinite(normalizer)) {
    throw new LossArgumentError(fn, 'normalizer', `normalizer must be 'batch', 'per-image' or a finite number > 0 (got ${JSON.stringify(normalizer)})`);
  }
}

/**
 * Sum of `loss` [B, ...] normalized as above; `labels` are the checked [B, A] labels.
 * @returns a scalar
 */
export function normalizedSum(loss: tf.Tensor, labels: Int32Array, normalizer: Normalizer): tf.Scalar {
  return tf.tidy(() => {
    if (normalizer === 'per-image') {
      const batch = loss.shape[0];
      const axes = Array.from({ length: loss.rank - 1 }, (_, i) => i + 1);
      const denom = tf.tensor1d(positivesPerImage(labels, batch).map((n) => Math.max(1, n)));
      return tf.mean(tf.div(tf.sum(loss, axes), denom));
    }
    const denom = normalizer === 'batch' ? Math.max(1, countPositives(labels)) : normalizer;
    return tf.div(sumAll(loss), denom);
  });
}

/** JSON-serializable state of an EmaNormalizer, for checkpoints. */
export interface EmaNormalizerState {
  /** The current average (what the losses divide by). */
  value: number;
  momentum: number;
}

/** detectron2's moving-average loss normalizer: v ← m·v + (1 − m)·max(1, positives). */
export class EmaNormalizer {
  private s: EmaNormalizerState;

  constructor(state: EmaNormalizerState) {
    checkEmaState(state);
    this.s = { value: state.value, momentum: state.momentum };
  }

  /** Folds in this step's number of positive anchors; returns the value to pass as `normalizer`. */
  update(numPositive: number): number {
    if (!(numPositive >= 0) || !Number.isFinite(numPositive)) {
      throw new LossArgumentError('EmaNormalizer.update', 'numPositive', `numPositive must be a count >= 0 (got ${numPositive})`);
    }
    const { value, momentum } = this.s;
    this.s = { value: momentum * value + (1 - momentum) * Math.max(1, numPositive), momentum };
    return this.s.value;
  }

  get value(): number {
    return this.s.value;
  }

  /** A copy of the state, plain JSON — save it with a checkpoint, resume with `restoreEmaNormalizer`. */
  state(): EmaNormalizerState {
    return { ...this.s };
  }
}

function checkEmaState(state: EmaNormalizerState): void {
  const fn = 'EmaNormalizer';
  if (!(state.momentum >= 0 && state.momentum < 1)) throw new LossArgumentError(fn, 'momentum', `momentum must be in [0, 1) (got ${state.momentum})`);
  if (!(state.value > 0) || !Number.isFinite(state.value)) throw new LossArgumentError(fn, 'value', `value must be a finite number > 0 (got ${state.value})`);
}

/**
 * @param momentum weight of the past (default 0.9, detectron2's)
 * @param initial the starting value (default 100, detectron2's)
 */
export function createEmaNormalizer(momentum = 0.9, initial = 100): EmaNormalizer {
  return new EmaNormalizer({ value: initial, momentum });
}

/** An EmaNormalizer continuing from a saved `state()`. */
export function restoreEmaNormalizer(state: EmaNormalizerState): EmaNormalizer {
  return new EmaNormalizer(state);
}
