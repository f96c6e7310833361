/**
 * Box-regression losses on positive anchors, normalized like the classification loss (pass the same
 * normalizer): L1 and smooth L1 on the encoded deltas, or GIoU on the boxes decoded from the predicted
 * and the target deltas.
 */
import type { BoxCoderWeights } from '@retina/anchors';
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, checkSameShape, shapeText } from './errors';
import { checkBoxWeights, decodeDeltas, giouLoss } from './decode-deltas';
import { readLabels, type LabelsInput } from './labels';
import { checkNormalizer, normalizedSum, type Normalizer } from './normalizer';

export type BoxLossType = 'l1' | 'smooth-l1' | 'giou';

const TYPES: readonly BoxLossType[] = ['l1', 'smooth-l1', 'giou'];

export interface BoxLossOptions {
  /** 'smooth-l1' (default), 'l1' (torchvision's RetinaNet default) or 'giou'. */
  type?: BoxLossType;
  /** Smooth-L1 transition point β ≥ 0 (0 is L1). Default 1/9, as Detectron's and torchvision's RetinaNet. */
  beta?: number;
  /** Anchors [A, 4] xyxy in pixels — required by 'giou', which decodes the deltas against them. */
  anchors?: tf.Tensor;
  /** BoxCoder weights used by 'giou' to decode. Default (1, 1, 1, 1). */
  weights?: BoxCoderWeights;
}

/**
 * Huber with transition β, without a `where` (tfjs has no gradient for comparison ops): with
 * m = min(|d|, β), 0.5·m²/β + (|d| − m) is 0.5·d²/β below β and |d| − 0.5·β above it.
 * |d| is d·sign(d): its gradient at d = 0 is 0, as the reference's, where tf.abs's is −1.
 */
function smoothL1(diff: tf.Tensor, beta: number): tf.Tensor {
  const a = tf.mul(diff, tf.sign(diff));
  if (beta === 0) return a;
  const m = tf.minimum(a, beta);
  return tf.add(tf.div(tf.mul(tf.square(m), 0.5), beta), tf.sub(a, m));
}

function checkOptions(fn: string, opts: BoxLossOptions, anchorsPerImage: number): void {
  const type = opts.type ?? 'smooth-l1';
  if (!TYPES.includes(type)) throw new LossArgumentError(fn, 'type', `type must be 'l1', 'smooth-l1' or 'giou' (got ${JSON.stringify(type)})`);
  const beta = opts.beta ?? 1 / 9;
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new LossArgumentError(fn, 'beta', `beta must be a finite number >= 0 (got ${beta})`);
  if (opts.weights) checkBoxWeights(fn, opts.weights);
  if (type !== 'giou') return;
  const a = opts.anchors;
  if (!a || a.rank !== 2 || a.shape[0] !== anchorsPerImage || a.shape[1] !== 4) {
    throw new LossArgumentError(fn, 'anchors', `type 'giou' needs anchors [A, 4] = [${anchorsPerImage}, 4] (got ${a ? shapeText(a.shape) : 'none'})`);
  }
}

/**
 * @param pred [B, A, 4] predicted deltas
 * @param target [B, A, 4] target deltas (values at non-positive anchors are ignored)
 * @param labels [B, A] int32 tensor or Int32Array: ≥ 0 positive (only these count), −1 / −2 not
 * @param normalizer 'batch' (default: ÷ max(1, positives)), 'per-image', or a number — use the
 *   classification loss's
 * @returns scalar loss
 */
export function boxRegressionLoss(
  pred: tf.Tensor,
  target: tf.Tensor,
  labels: LabelsInput,
  opts: BoxLossOptions = {},
  normalizer: Normalizer = 'batch',
): tf.Scalar {
  const fn = 'boxRegressionLoss';
  if (pred.rank !== 3 || pred.shape[2] !== 4) throw new LossArgumentError(fn, 'pred', `pred must be [B, A, 4] (got ${shapeText(pred.shape)})`);
  checkSameShape(fn, pred.shape, 'pred', target.shape, 'target');
  const [b, a] = pred.shape;
  checkOptions(fn, opts, a);
  checkNormalizer(fn, normalizer);
  const lab = readLabels(fn, labels, b, a);
  const type = opts.type ?? 'smooth-l1';
  return tf.tidy(() => {
    const positive = tf.tensor2d(Float32Array.from(lab, (l) => (l >= 0 ? 1 : 0)), [b, a]);
    let perAnchor: tf.Tensor;
    if (type === 'giou') {
      const anchors = tf.expandDims(opts.anchors as tf.Tensor, 0);
      perAnchor = giouLoss(decodeDeltas(pred, anchors, opts.weights), decodeDeltas(target, anchors, opts.weights));
    } else {
      perAnchor = tf.sum(smoothL1(tf.sub(pred, target), type === 'l1' ? 0 : (opts.beta ?? 1 / 9)), -1);
    }
    return normalizedSum(tf.mul(perAnchor, positive), lab, normalizer);
  });
}
