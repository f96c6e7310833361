/**
 * RetinaNet's classification loss over anchors. Per anchor, labels ≥ 0 give a one-hot target of that
 * class, LABEL_BACKGROUND (−1) an all-zero target, LABEL_IGNORE (−2) leaves the anchor out. The
 * per-class loss is summed over the kept anchors and divided by the normalizer (normalizer.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, checkAlpha, checkGamma, checkPerClassAlpha, shapeText } from './errors';
import { focalTerm } from './focal-term';
import { LABEL_IGNORE, readLabels, type LabelsInput } from './labels';
import { checkNormalizer, normalizedSum, type Normalizer } from './normalizer';
import { alphaTensor, asFloat } from './sigmoid-focal';

/**
 * - 'focal': sigmoid focal loss (alpha, gamma).
 * - 'balanced-ce': alpha-balanced sigmoid cross-entropy (alpha; gamma unused).
 * - 'ce': plain sigmoid cross-entropy (alpha, perClassAlpha and gamma unused).
 */
export type ClassificationLossKind = 'focal' | 'ce' | 'balanced-ce';

const KINDS: readonly ClassificationLossKind[] = ['focal', 'ce', 'balanced-ce'];

export interface ClassificationLossOptions {
  /** Which loss; default 'focal'. The same call shape for all three, for ablations. */
  kind?: ClassificationLossKind;
  /** Weight of positives in [0, 1] (negatives get 1 − alpha); negative disables. Default 0.25. */
  alpha?: number;
  /** One alpha per class (length C, each in [0, 1]); overrides `alpha`. See `classBalancedAlpha`. */
  perClassAlpha?: readonly number[];
  /** Focusing parameter γ ≥ 0 of 'focal'. Default 2. */
  gamma?: number;
  /** 'batch' (default), 'per-image', or a number to divide by (e.g. an EMA). See normalizer.ts. */
  normalizer?: Normalizer;
}

function checkOptions(fn: string, opts: ClassificationLossOptions, logitsShape: number[]): void {
  if (!KINDS.includes(opts.kind ?? 'focal')) {
    throw new LossArgumentError(fn, 'kind', `kind must be 'focal', 'ce' or 'balanced-ce' (got ${JSON.stringify(opts.kind)})`);
  }
  checkAlpha(fn, opts.alpha ?? 0.25);
  checkGamma(fn, opts.gamma ?? 2);
  if (opts.perClassAlpha) checkPerClassAlpha(fn, opts.perClassAlpha, logitsShape[2], logitsShape);
  checkNormalizer(fn, opts.normalizer ?? 'batch');
}

/**
 * Signs [B, A, C] of the one-hot targets (see focal-term.ts), written in JS from the labels read back
 * anyway: −1 in a positive anchor's class column, +1 in its other columns and throughout background
 * anchors, 0 throughout ignored anchors (left out). Cheaper on every engine than one-hot, mask and
 * broadcast kernels.
 */
function targetSigns(labels: Int32Array, batch: number, anchors: number, numClasses: number): tf.Tensor {
  const signs = new Float32Array(labels.length * numClasses).fill(1);
  labels.forEach((l, i) => {
    if (l >= 0) signs[i * numClasses + l] = -1;
    else if (l === LABEL_IGNORE) signs.fill(0, i * numClasses, (i + 1) * numClasses);
  });
  return tf.tensor3d(signs, [batch, anchors, numClasses]);
}

/**
 * @param logits [B, A, C] float32, one sigmoid logit per anchor and class
 * @param labels [B, A]: int32 tensor or row-major Int32Array; class index, −1 background, −2 ignore
 * @returns the scalar loss: sum over non-ignored anchors and all classes ÷ normalizer
 */
export function retinaNetClassificationLoss(logits: tf.Tensor, labels: LabelsInput, opts: ClassificationLossOptions = {}): tf.Scalar {
  const fn = 'retinaNetClassificationLoss';
  if (logits.rank !== 3) throw new LossArgumentError(fn, 'logits', `logits must be [B, A, C] (got ${shapeText(logits.shape)})`);
  const [b, a, c] = logits.shape;
  checkOptions(fn, opts, logits.shape);
  const lab = readLabels(fn, labels, b, a, c);
  const kind = opts.kind ?? 'focal';
  return tf.tidy(() => {
    const alpha = kind === 'ce' ? undefined : alphaTensor(opts.alpha ?? 0.25, opts.perClassAlpha);
    const gamma = kind === 'focal' ? (opts.gamma ?? 2) : 0;
    const loss = focalTerm(asFloat(logits), targetSigns(lab, b, a, c), gamma, { alpha, excludes: true });
    return normalizedSum(loss, lab, opts.normalizer ?? 'batch');
  });
}
