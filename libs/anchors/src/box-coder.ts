/**
 * RetinaNet box coding (torchvision `BoxCoder`): deltas (dx, dy, dw, dh) of a box relative to an
 * anchor, with weights (wx, wy, ww, wh). Width is x2 − x1 (no +1), the centre x1 + w / 2.
 */
import { AnchorArgumentError, checkBoxes, type BoxDeltas, type BoxesXyxy } from './types';

/**
 * Largest dw/dh applied when decoding: exp(log(1000/16)) = 62.5× the anchor size. Keeps exp() from
 * overflowing on wild early-training predictions.
 */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

const { exp, fround: f, log, min } = Math;

/**
 * (wx, wy, ww, wh): deltas are (wx·dx, wy·dy, ww·dw, wh·dh); each must be > 0. The one definition for
 * both box coders: this typed-array one and `@retina/focal-loss`' differentiable `decodeDeltas`.
 */
export type BoxCoderWeights = readonly [number, number, number, number];
/** RetinaNet's weights (torchvision uses (1, 1, 1, 1) for RetinaNet). */
export const DEFAULT_BOX_WEIGHTS: BoxCoderWeights = [1, 1, 1, 1];

/** Whether `weights` are 4 finite numbers > 0 (each coder throws its own error naming its function). */
export function validBoxWeights(weights: unknown): weights is BoxCoderWeights {
  return Array.isArray(weights) && weights.length === 4 && weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0);
}

function checkWeights(fn: string, weights: BoxCoderWeights): number[] {
  if (!validBoxWeights(weights)) {
    throw new AnchorArgumentError(fn, `weights must be 4 finite numbers > 0 (got ${JSON.stringify(weights)})`);
  }
  return weights.map(f);
}

function sameCount(fn: string, a: Float32Array, an: string, b: Float32Array, bn: string): number {
  const n = checkBoxes(fn, an, a);
  const m = checkBoxes(fn, bn, b);
  if (n !== m) throw new AnchorArgumentError(fn, `${an} has ${n} boxes but ${bn} has ${m}`);
  return n;
}

/**
 * Regression targets of `gt` boxes relative to `anchors` (one per anchor). Arithmetic is rounded to
 * float32 step by step as in the reference, so near-zero targets agree too (no cancellation drift).
 */
export function encodeBoxes(gt: BoxesXyxy, anchors: BoxesXyxy, weights: BoxCoderWeights = DEFAULT_BOX_WEIGHTS): BoxDeltas {
  const n = sameCount('encodeBoxes', gt, 'gt', anchors, 'anchors');
  const [wx, wy, ww, wh] = checkWeights('encodeBoxes', weights);
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const k = 4 * i;
    const aw = f(anchors[k + 2] - anchors[k]);
    const ah = f(anchors[k + 3] - anchors[k + 1]);
    const ax = f(anchors[k] + f(0.5 * aw));
    const ay = f(anchors[k + 1] + f(0.5 * ah));
    const gw = f(gt[k + 2] - gt[k]);
    const gh = f(gt[k + 3] - gt[k + 1]);
    const gx = f(gt[k] + f(0.5 * gw));
    const gy = f(gt[k + 1] + f(0.5 * gh));
    out[k] = f(f(wx * f(gx - ax)) / aw);
    out[k + 1] = f(f(wy * f(gy - ay)) / ah);
    out[k + 2] = f(ww * f(log(f(gw / aw))));
    out[k + 3] = f(wh * f(log(f(gh / ah))));
  }
  return out;
}

/** Boxes (xyxy) from `deltas` relative to `anchors`; dw, dh clamped at BBOX_XFORM_CLIP. float32 steps. */
export function decodeBoxes(deltas: BoxDeltas, anchors: BoxesXyxy, weights: BoxCoderWeights = DEFAULT_BOX_WEIGHTS): BoxesXyxy {
  const n = sameCount('decodeBoxes', deltas, 'deltas', anchors, 'anchors');
  const [wx, wy, ww, wh] = checkWeights('decodeBoxes', weights);
  const clip = f(BBOX_XFORM_CLIP);
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const k = 4 * i;
    const aw = f(anchors[k + 2] - anchors[k]);
    const ah = f(anchors[k + 3] - anchors[k + 1]);
    const cx = f(f(f(deltas[k] / wx) * aw) + f(anchors[k] + f(0.5 * aw)));
    const cy = f(f(f(deltas[k + 1] / wy) * ah) + f(anchors[k + 1] + f(0.5 * ah)));
    const hw = f(0.5 * f(f(exp(min(f(deltas[k + 2] / ww), clip))) * aw));
    const hh = f(0.5 * f(f(exp(min(f(deltas[k + 3] / wh), clip))) * ah));
    out[k] = cx - hw;
    out[k + 1] = cy - hh;
    out[k + 2] = cx + hw;
    out[k + 3] = cy + hh;
  }
  return out;
}
