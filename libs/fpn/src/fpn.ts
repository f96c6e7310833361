/**
 * Feature pyramid (Lin et al., 2017): lateral 1×1 convs on C_l, top-down nearest-neighbour ×2
 * upsampling added level by level, 3×3 output convs; extra levels above P5 by stride-2 3×3 convs,
 * the first from C5 (RetinaNet paper, default) or P5, each next one from ReLU of the previous.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FpnConfigError, FeatureShapeError } from './errors';
import { Conv2d } from './layers';
import type { Backbone, BackboneFeatures } from './resnet';

export interface FpnConfig {
  /** Channels of every pyramid level. Default 256. */
  channels?: number;
  /** Lowest level (2..5). Default 3. */
  minLevel?: number;
  /** Highest level (≥ minLevel, ≤ 9). Default 7. */
  maxLevel?: number;
  /** Input of the first extra level (P6): 'c5' (RetinaNet, default) or 'p5'. */
  extraFrom?: 'c5' | 'p5';
}

export interface ResolvedFpnConfig {
  channels: number;
  minLevel: number;
  maxLevel: number;
  extraFrom: 'c5' | 'p5';
}

/** Pyramid outputs by name: `p3` … `p7` (level l has stride 2^l). */
export type PyramidFeatures = Record<string, tf.Tensor4D>;

export function resolveFpnConfig(c: FpnConfig = {}): ResolvedFpnConfig {
  const channels = c.channels ?? 256;
  const minLevel = c.minLevel ?? 3;
  const maxLevel = c.maxLevel ?? 7;
  const extraFrom = c.extraFrom ?? 'c5';
  if (!Number.isInteger(channels) || channels < 1) throw new FpnConfigError('fpn.channels', `must be an integer ≥ 1 (got ${channels})`);
  if (!Number.isInteger(minLevel) || minLevel < 2 || minLevel > 5) throw new FpnConfigError('fpn.minLevel', `must be an integer in 2..5 (got ${minLevel})`);
  if (!Number.isInteger(maxLevel) || maxLevel < minLevel || maxLevel > 9) {
    throw new FpnConfigError('fpn.maxLevel', `must be an integer in ${minLevel}..9 (got ${maxLevel})`);
  }
  if (extraFrom !== 'c5' && extraFrom !== 'p5') throw new FpnConfigError('fpn.extraFrom', `must be 'c5' or 'p5' (got ${JSON.stringify(extraFrom)})`);
  return { channels, minLevel, maxLevel, extraFrom };
}

export class Fpn {
  readonly config: ResolvedFpnConfig;
  /** Names of the outputs, lowest level first: ['p3', …, 'p7']. */
  readonly levelNames: string[];
  private readonly lateral = new Map<number, Conv2d>();
  private readonly output = new Map<number, Conv2d>();
  private readonly extra: Conv2d[] = [];

  constructor(readonly backbone: Backbone, config: FpnConfig = {}) {
    const c = resolveFpnConfig(config);
    this.config = c;
    const store = backbone.store;
    const ch = c.channels;
    const convInit = (fanIn: number) => ({ kind: 'normal' as const, std: Math.sqrt(1 / fanIn) });
    for (let l = c.minLevel; l <= 5; l++) {
      const cin = backbone.channels[`c${l}` as keyof BackboneFeatures];
      this.lateral.set(l, new Conv2d(store, `fpn/lateral${l}`, { kernel: 1, inChannels: cin, outChannels: ch, bias: true, init: convInit(cin) }));
      if (l <= c.maxLevel) this.output.set(l, new Conv2d(store, `fpn/output${l}`, { kernel: 3, inChannels: ch, outChannels: ch, bias: true, init: convInit(9 * ch) }));
    }
    for (let l = 6; l <= c.maxLevel; l++) {
      const cin = l === 6 && c.extraFrom === 'c5' ? backbone.channels.c5 : ch;
      this.extra.push(new Conv2d(store, `fpn/p${l}`, { kernel: 3, inChannels: cin, outChannels: ch, stride: 2, bias: true, init: convInit(9 * cin) }));
    }
    this.levelNames = [];
    for (let l = c.minLevel; l <= c.maxLevel; l++) this.levelNames.push(`p${l}`);
  }

  /** Pyramid features of backbone features (any head can consume them). */
  fromFeatures(f: BackboneFeatures): PyramidFeatures {
    const c = this.config;
    const out: PyramidFeatures = {};
    let top: tf.Tensor4D | undefined;
    for (let l = 5; l >= c.minLevel; l--) {
      const lat = this.lateral.get(l)!.apply(f[`c${l}` as keyof BackboneFeatures]);
      if (top) checkUpsample(top, lat, l);
      top = top ? (tf.add(lat, tf.image.resizeNearestNeighbor(top, [lat.shape[1], lat.shape[2]])) as tf.Tensor4D) : lat;
      const conv = this.output.get(l);
      if (conv) out[`p${l}`] = conv.apply(top);
    }
    let prev: tf.Tensor4D = c.extraFrom === 'c5' ? f.c5 : out.p5;
    this.extra.forEach((conv, i) => {
      const y = conv.apply(i === 0 ? prev : tf.relu(prev));
      out[`p${6 + i}`] = y;
      prev = y;
    });
    return Object.fromEntries(this.levelNames.map((n) => [n, out[n]]));
  }

  /** Backbone + pyramid on normalized images [B, H, W, 3]. */
  apply(x: tf.Tensor4D, training = false): PyramidFeatures {
    return this.fromFeatures(this.backbone.apply(x, training));
  }
}

function checkUpsample(top: tf.Tensor4D, lat: tf.Tensor4D, level: number): void {
  const [, th, tw] = top.shape;
  const [, h, w] = lat.shape;
  if (Math.ceil(h / 2) !== th || Math.ceil(w / 2) !== tw) {
    throw new FeatureShapeError('Fpn', `C${level} is ${h}×${w} but C${level + 1} is ${th}×${tw} (pad images to a multiple of 2^maxLevel)`);
  }
}

/**
 * Builds an FPN on `backbone` (its parameters go into the backbone's store, names `fpn/…`).
 * @returns the pyramid; `fpn.apply(x)` gives `{ p3, …, p7 }`
 */
export function buildFpn(backbone: Backbone, opts: FpnConfig = {}): Fpn {
  return new Fpn(backbone, opts);
}
