/**
 * ResNet backbones over tfjs-core ops. Blocks follow torchvision (ResNet v1.5: the stride sits in the
 * 3×3 conv; a 1×1 conv + BN projection shortcut where shape changes). Convs use 'same' padding, so a
 * stride-2 stage maps size n to ceil(n / 2) and C_l has stride 2^l exactly on padded inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConvNorm } from './layers';
import { ParamStore } from './params';
import { resolveBackboneConfig, stageChannels, type BackboneConfig, type ResolvedBackboneConfig } from './resnet-config';
import { FeatureShapeError } from './errors';

/** Backbone outputs: C2..C5 (strides 4, 8, 16, 32), NHWC. */
export interface BackboneFeatures {
  c2: tf.Tensor4D;
  c3: tf.Tensor4D;
  c4: tf.Tensor4D;
  c5: tf.Tensor4D;
}

export type FeatureName = keyof BackboneFeatures;

interface Block {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

class BasicBlock implements Block {
  private readonly conv1: ConvNorm;
  private readonly conv2: ConvNorm;
  private readonly shortcut?: ConvNorm;

  constructor(store: ParamStore, name: string, cin: number, cout: number, stride: number, c: ResolvedBackboneConfig, trainable: boolean) {
    const o = { norm: c.norm, trainable };
    this.conv1 = new ConvNorm(store, `${name}/conv1`, { ...o, kernel: 3, inChannels: cin, outChannels: cout, stride });
    this.conv2 = new ConvNorm(store, `${name}/conv2`, { ...o, kernel: 3, inChannels: cout, outChannels: cout, zeroGamma: c.zeroInitResidual });
    if (stride !== 1 || cin !== cout) this.shortcut = new ConvNorm(store, `${name}/shortcut`, { ...o, kernel: 1, inChannels: cin, outChannels: cout, stride });
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const y = this.conv2.apply(this.conv1.apply(x, training, true), training, false);
    const s = this.shortcut ? this.shortcut.apply(x, training, false) : x;
    return tf.relu(tf.add(y, s)) as tf.Tensor4D;
  }
}

class Bottleneck implements Block {
  private readonly conv1: ConvNorm;
  private readonly conv2: ConvNorm;
  private readonly conv3: ConvNorm;
  private readonly shortcut?: ConvNorm;

  constructor(store: ParamStore, name: string, cin: number, cout: number, stride: number, c: ResolvedBackboneConfig, trainable: boolean) {
    const o = { norm: c.norm, trainable };
    const mid = cout / 4;
    this.conv1 = new ConvNorm(store, `${name}/conv1`, { ...o, kernel: 1, inChannels: cin, outChannels: mid });
    this.conv2 = new ConvNorm(store, `${name}/conv2`, { ...o, kernel: 3, inChannels: mid, outChannels: mid, stride });
    this.conv3 = new ConvNorm(store, `${name}/conv3`, { ...o, kernel: 1, inChannels: mid, outChannels: cout, zeroGamma: c.zeroInitResidual });
    if (stride !== 1 || cin !== cout) this.shortcut = new ConvNorm(store, `${name}/shortcut`, { ...o, kernel: 1, inChannels: cin, outChannels: cout, stride });
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const y = this.conv3.apply(this.conv2.apply(this.conv1.apply(x, training, true), training, true), training, false);
    const s = this.shortcut ? this.shortcut.apply(x, training, false) : x;
    return tf.relu(tf.add(y, s)) as tf.Tensor4D;
  }
}

class Stem {
  private readonly convs: ConvNorm[];

  constructor(store: ParamStore, c: ResolvedBackboneConfig, trainable: boolean) {
    const o = { norm: c.norm, trainable };
    const out = c.stemChannels;
    this.convs =
      c.stem === 'resnet'
        ? [new ConvNorm(store, 'backbone/stem', { ...o, kernel: 7, inChannels: 3, outChannels: out, stride: 2 })]
        : [
            new ConvNorm(store, 'backbone/stem/0', { ...o, kernel: 3, inChannels: 3, outChannels: out / 2, stride: 2 }),
            new ConvNorm(store, 'backbone/stem/1', { ...o, kernel: 3, inChannels: out / 2, outChannels: out / 2 }),
            new ConvNorm(store, 'backbone/stem/2', { ...o, kernel: 3, inChannels: out / 2, outChannels: out }),
          ];
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const y = this.convs.reduce((h, conv) => conv.apply(h, training, true), x);
    return tf.maxPool(y, 3, 2, 'same');
  }
}

export class Backbone {
  readonly config: ResolvedBackboneConfig;
  /** Channels of C2..C5. */
  readonly channels: Record<FeatureName, number>;
  private readonly stem: Stem;
  private readonly stages: Block[][];

  /** Builds the backbone's parameters into `store` (names start with `backbone/`). */
  constructor(config: BackboneConfig, readonly store: ParamStore = new ParamStore()) {
    const c = resolveBackboneConfig(config);
    this.config = c;
    this.stem = new Stem(store, c, c.freezeAt < 1);
    let cin = c.stemChannels;
    this.stages = c.blocks.map((n, s) => {
      const cout = stageChannels(c, s);
      const trainable = c.freezeAt < s + 2;
      const blocks: Block[] = [];
      for (let b = 0; b < n; b++) {
        const Kind = c.bottleneck ? Bottleneck : BasicBlock;
        blocks.push(new Kind(store, `backbone/stage${s + 1}/block${b}`, b === 0 ? cin : cout, cout, b === 0 && s > 0 ? 2 : 1, c, trainable));
      }
      cin = cout;
      return blocks;
    });
    this.channels = { c2: stageChannels(c, 0), c3: stageChannels(c, 1), c4: stageChannels(c, 2), c5: stageChannels(c, 3) };
  }

  /**
   * @param x [B, H, W, 3] normalized images
   * @param training batch-norm mode (ignored when BN is frozen)
   */
  apply(x: tf.Tensor4D, training = false): BackboneFeatures {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new FeatureShapeError('Backbone.apply', `x must be [B, H, W, 3] (got [${x.shape}])`);
    let h = this.stem.apply(x, training);
    const out: tf.Tensor4D[] = [];
    for (const stage of this.stages) {
      h = stage.reduce((y, block) => block.apply(y, training), h);
      out.push(h);
    }
    return { c2: out[0], c3: out[1], c4: out[2], c5: out[3] };
  }
}

export function createBackbone(config: BackboneConfig, store?: ParamStore): Backbone {
  return new Backbone(config, store);
}
