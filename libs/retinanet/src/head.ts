/**
 * The RetinaNet head (Lin et al., 2017): two subnets shared across pyramid levels, each `convs` ×
 * (3×3 conv [+ group norm] + ReLU) then a 3×3 conv to A·C class logits or A·4 box deltas. Outputs are
 * flattened in DESIGN.md's anchor order — level, then location (y, then x), then anchor — so row i of
 * `logits` / `deltas` belongs to anchor i of `generateAnchors`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GroupNorm, type ParamStore, type PyramidFeatures } from '@retina/fpn';
import type { RetinaNetConfig } from './config';

export interface HeadOutputs {
  /** [B, numAnchors, C] class logits. */
  logits: tf.Tensor3D;
  /** [B, numAnchors, 4] box deltas (dx, dy, dw, dh). */
  deltas: tf.Tensor3D;
}

class Subnet {
  private readonly convs: Conv2d[] = [];
  private readonly norms: GroupNorm[] = [];
  private readonly out: Conv2d;

  constructor(store: ParamStore, name: string, cin: number, outChannels: number, cfg: RetinaNetConfig['head'], outBias: number) {
    const init = { kind: 'normal' as const, std: cfg.initStd };
    let c = cin;
    for (let i = 0; i < cfg.convs; i++) {
      this.convs.push(new Conv2d(store, `${name}/conv${i}`, { kernel: 3, inChannels: c, outChannels: cfg.channels, bias: true, init }));
      if (cfg.groupNorm > 0) this.norms.push(new GroupNorm(store, `${name}/gn${i}`, cfg.channels, cfg.groupNorm));
      c = cfg.channels;
    }
    this.out = new Conv2d(store, `${name}/out`, { kernel: 3, inChannels: c, outChannels, bias: true, init, biasInit: outBias });
  }

  /** [B, H, W, C] → [B, H·W·A, perAnchor] */
  apply(x: tf.Tensor4D, perAnchor: number): tf.Tensor3D {
    let h = x;
    this.convs.forEach((conv, i) => {
      h = this.norms.length ? tf.relu(this.norms[i].apply(conv.apply(h))) : conv.apply(h, true);
    });
    const y = this.out.apply(h);
    const [b, fh, fw, ch] = y.shape;
    return tf.reshape(y, [b, (fh * fw * ch) / perAnchor, perAnchor]);
  }
}

/**
 * concat([B, n_l, K] per level) along axis 1 → [B, Σn_l, K]. The gradient is cut into contiguous
 * pieces (image, then level) instead of one strided split, which tfjs-backend-cpu runs element by
 * element through TensorBuffer.get.
 */
function concatLevels(parts: tf.Tensor3D[]): tf.Tensor3D {
  if (parts.length === 1) return parts[0];
  const counts = parts.map((p) => p.shape[1]);
  const concat = tf.customGrad((...xs) => {
    const inputs = xs.slice(0, parts.length) as tf.Tensor3D[];
    return {
      value: tf.concat(inputs, 1),
      gradFunc: (dy) => {
        const [b, total, k] = (dy as tf.Tensor3D).shape;
        const images = Array.from({ length: b }, (_, i) => tf.reshape(tf.slice(dy as tf.Tensor, [i, 0, 0], [1, total, k]), [total * k]));
        let start = 0;
        return counts.map((n) => {
          const level = images.map((img) => tf.slice(img, [start * k], [n * k]));
          start += n;
          return tf.reshape(tf.concat(level, 0), [b, n, k]);
        });
      },
    };
  });
  return concat(...parts) as tf.Tensor3D;
}

export class RetinaNetHead {
  private readonly cls: Subnet;
  private readonly box: Subnet;

  /**
   * @param numAnchors anchors per location (A)
   * @param numClasses classes (C), no background
   */
  constructor(store: ParamStore, inChannels: number, readonly numAnchors: number, readonly numClasses: number, cfg: RetinaNetConfig['head']) {
    const bias = -Math.log((1 - cfg.prior) / cfg.prior);
    this.cls = new Subnet(store, 'head/cls', inChannels, numAnchors * numClasses, cfg, bias);
    this.box = new Subnet(store, 'head/box', inChannels, numAnchors * 4, cfg, 0);
  }

  /** Level outputs concatenated in `levelNames` order. */
  apply(features: PyramidFeatures, levelNames: string[]): HeadOutputs {
    const maps = levelNames.map((n) => features[n]);
    const logits = maps.map((f) => this.cls.apply(f, this.numClasses));
    const deltas = maps.map((f) => this.box.apply(f, 4));
    return { logits: concatLevels(logits), deltas: concatLevels(deltas) };
  }
}
