/**
 * Box decoding in tensors (differentiable), the twin of `@retina/anchors`' typed-array `decodeBoxes`
 * (whose BBOX_XFORM_CLIP, weights type and defaults it uses),
 * for losses on decoded boxes (GIoU). torchvision BoxCoder conventions: boxes xyxy, w = x2 − x1,
 * cx = x1 + 0.5·w, deltas (dx, dy, dw, dh) divided by weights (wx, wy, ww, wh), dw/dh clamped at
 * BBOX_XFORM_CLIP before exp.
 */
import { BBOX_XFORM_CLIP, DEFAULT_BOX_WEIGHTS, validBoxWeights, type BoxCoderWeights } from '@retina/anchors';
import * as tf from '@tensorflow/tfjs-core';
import { LossArgumentError, shapeText } from './errors';

export function checkBoxWeights(fn: string, weights: BoxCoderWeights): void {
  if (!validBoxWeights(weights)) {
    const given: unknown = weights;
    const shown = Array.isArray(given) ? `[${given.join(', ')}]` : JSON.stringify(given);
    throw new LossArgumentError(fn, 'weights', `weights must be 4 finite numbers > 0 (got ${shown})`);
  }
}

/**
 * @param deltas [..., 4] (dx, dy, dw, dh)
 * @param anchors [..., 4] xyxy, broadcastable against deltas (e.g. [A, 4] with deltas [B, A, 4])
 * @param weights BoxCoder weights, default (1, 1, 1, 1)
 * @returns boxes xyxy, the broadcast shape of deltas and anchors
 */
export function decodeDeltas(deltas: tf.Tensor, anchors: tf.Tensor, weights: BoxCoderWeights = DEFAULT_BOX_WEIGHTS): tf.Tensor {
  const fn = 'decodeDeltas';
  if (deltas.rank < 1 || deltas.shape[deltas.rank - 1] !== 4) throw new LossArgumentError(fn, 'deltas', `deltas must be [..., 4] (got ${shapeText(deltas.shape)})`);
  if (anchors.rank < 1 || anchors.shape[anchors.rank - 1] !== 4) throw new LossArgumentError(fn, 'anchors', `anchors must be [..., 4] (got ${shapeText(anchors.shape)})`);
  checkBoxWeights(fn, weights);
  const [wx, wy, ww, wh] = weights;
  return tf.tidy(() => {
    const [ax1, ay1, ax2, ay2] = tf.split(anchors, 4, -1);
    const [dx, dy, dw, dh] = tf.split(deltas, 4, -1);
    const aw = tf.sub(ax2, ax1);
    const ah = tf.sub(ay2, ay1);
    const cx = tf.add(tf.mul(tf.div(dx, wx), aw), tf.add(ax1, tf.mul(aw, 0.5)));
    const cy = tf.add(tf.mul(tf.div(dy, wy), ah), tf.add(ay1, tf.mul(ah, 0.5)));
    const halfW = tf.mul(tf.mul(tf.exp(tf.minimum(tf.div(dw, ww), BBOX_XFORM_CLIP)), aw), 0.5);
    const halfH = tf.mul(tf.mul(tf.exp(tf.minimum(tf.div(dh, wh), BBOX_XFORM_CLIP)), ah), 0.5);
    return tf.concat([tf.sub(cx, halfW), tf.sub(cy, halfH), tf.add(cx, halfW), tf.add(cy, halfH)], -1);
  });
}

/** Stabilizes the GIoU divisions, as torchvision's generalized_box_iou_loss (eps = 1e-7). */
const GIOU_EPS = 1e-7;

/**
 * 1 − GIoU of paired xyxy boxes, elementwise (torchvision's generalized_box_iou_loss, reduction 'none').
 * @param pred [..., 4]
 * @param target [..., 4], the same shape
 * @returns [...] (the last axis dropped), in [0, 2]
 */
export function giouLoss(pred: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [px1, py1, px2, py2] = tf.split(pred, 4, -1);
    const [tx1, ty1, tx2, ty2] = tf.split(target, 4, -1);
    const area = (x1: tf.Tensor, y1: tf.Tensor, x2: tf.Tensor, y2: tf.Tensor) => tf.mul(tf.relu(tf.sub(x2, x1)), tf.relu(tf.sub(y2, y1)));
    const inter = area(tf.maximum(px1, tx1), tf.maximum(py1, ty1), tf.minimum(px2, tx2), tf.minimum(py2, ty2));
    const union = tf.sub(tf.add(area(px1, py1, px2, py2), area(tx1, ty1, tx2, ty2)), inter);
    const hull = area(tf.minimum(px1, tx1), tf.minimum(py1, ty1), tf.maximum(px2, tx2), tf.maximum(py2, ty2));
    const iou = tf.div(inter, tf.add(union, GIOU_EPS));
    const giou = tf.sub(iou, tf.div(tf.sub(hull, union), tf.add(hull, GIOU_EPS)));
    return tf.squeeze(tf.sub(1, giou), [-1]);
  });
}
