/**
 * Per-anchor labels, as the matcher writes them: a class index 0..C−1 for a positive anchor,
 * LABEL_BACKGROUND for background (all-zero target), LABEL_IGNORE for anchors the loss skips.
 * Accepted as an int32 tensor [B, A] or a row-major Int32Array of B·A values.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, shapeText } from './errors';

/** Background anchor: every class's target is 0 (the matcher's BELOW_LOW_THRESHOLD). */
export const LABEL_BACKGROUND = -1;
/** Ignored anchor: excluded from the classification loss (the matcher's BETWEEN_THRESHOLDS). */
export const LABEL_IGNORE = -2;

export type LabelsInput = tf.Tensor | Int32Array;

/**
 * The labels as a typed array, after checking they are [B, A] and (with `numClasses`) that each is
 * LABEL_IGNORE, LABEL_BACKGROUND or a class index; without it, any integer ≥ LABEL_IGNORE.
 */
export function readLabels(fn: string, labels: LabelsInput, batch: number, anchors: number, numClasses?: number): Int32Array {
  const got = labels instanceof Int32Array ? `${labels.length} values` : shapeText(labels.shape);
  const shapeOk = labels instanceof Int32Array ? labels.length === batch * anchors : labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === anchors;
  if (!shapeOk) throw new LossArgumentError(fn, 'labels', `labels must be [B, A] = [${batch}, ${anchors}] (got ${got})`);
  const values = labels instanceof Int32Array ? labels : labels.dataSync();
  const top = numClasses ?? Infinity;
  for (let i = 0; i < values.length; i++) {
    const l = values[i];
    if (!(Number.isInteger(l) && l >= LABEL_IGNORE && l < top)) {
      const range = numClasses === undefined ? 'an integer >= -2' : `-2 (ignore), -1 (background) or a class index in [0, ${numClasses - 1}]`;
      throw new LossArgumentError(fn, 'labels', `labels must be ${range} (got ${l} at flat index ${i} of labels [${batch}, ${anchors}])`);
    }
  }
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

function asArray(labels: LabelsInput): ArrayLike<number> {
  return labels instanceof Int32Array ? labels : labels.dataSync();
}

/**
 * The number of positive anchors (label ≥ 0) — RetinaNet's loss normalizer, shared by the
 * classification and box losses (they divide by max(1, this)).
 */
export function countPositives(labels: LabelsInput): number {
  const l = asArray(labels);
  let n = 0;
  for (let i = 0; i < l.length; i++) if (l[i] >= 0) n++;
  return n;
}

/** Positives per image for labels [B, A] (torchvision's per-image normalizer). */
export function positivesPerImage(labels: LabelsInput, batch: number): number[] {
  const l = asArray(labels);
  const per = l.length / batch;
  if (!Number.isInteger(per)) throw new LossArgumentError('positivesPerImage', 'batch', `${l.length} labels do not split into ${batch} images`);
  return Array.from({ length: batch }, (_, b) => {
    let n = 0;
    for (let i = b * per; i < (b + 1) * per; i++) if (l[i] >= 0) n++;
    return n;
  });
}
