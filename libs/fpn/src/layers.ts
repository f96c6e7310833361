/**
 * The building blocks, as small objects over a ParamStore: a 2-D convolution (optionally with bias),
 * batch norm (frozen: running statistics folded into a per-channel affine; or batch statistics with
 * running averages) and group norm. NHWC throughout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addChannelBias, isRecording, scaleChannels } from './channel-ops';
import { FpnConfigError } from './errors';
import type { Init, ParamStore } from './params';

export interface ConvOptions {
  kernel: number;
  inChannels: number;
  outChannels: number;
  stride?: number;
  bias?: boolean;
  /** Default: He normal, std = sqrt(2 / fan_in). */
  init?: Init;
  /** Initial bias. Default 0. */
  biasInit?: number;
  trainable?: boolean;
}

/** conv + bias + ReLU: one fused kernel for inference; separate ops (fast gradients) under a tape. */
function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, bias: tf.Tensor | undefined, relu: boolean): tf.Tensor4D {
  if (!isRecording()) return tf.fused.conv2d({ x, filter, strides: stride, pad: 'same', bias, activation: relu ? 'relu' : 'linear' });
  let y = tf.conv2d(x, filter, stride, 'same');
  if (bias) y = addChannelBias(y, bias);
  return relu ? tf.relu(y) : y;
}

export class Conv2d {
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
  readonly stride: number;

  constructor(store: ParamStore, readonly name: string, o: ConvOptions) {
    const fanIn = o.kernel * o.kernel * o.inChannels;
    const init = o.init ?? { kind: 'normal', std: Math.sqrt(2 / fanIn) };
    const trainable = o.trainable ?? true;
    this.kernel = store.create(`${name}/kernel`, [o.kernel, o.kernel, o.inChannels, o.outChannels], init, 'kernel', trainable);
    if (o.bias) this.bias = store.create(`${name}/bias`, [o.outChannels], { kind: 'constant', value: o.biasInit ?? 0 }, 'bias', trainable);
    this.stride = o.stride ?? 1;
  }

  /** conv ('same' padding) + bias, with an optional ReLU. */
  apply(x: tf.Tensor4D, relu = false): tf.Tensor4D {
    return convBiasRelu(x, this.kernel as tf.Tensor4D, this.stride, this.bias, relu);
  }
}

/** Smallest variance added before the square root (torchvision's BatchNorm2d eps). */
export const BN_EPS = 1e-5;
/** Weight of the new batch statistics in the running averages (PyTorch's momentum). */
export const BN_MOMENTUM = 0.1;

export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;

  /**
   * @param frozen use the running statistics always (FrozenBatchNorm: the usual choice for small batches)
   * @param zeroGamma initialise gamma to 0 (last norm of a residual branch: the block starts as identity)
   */
  constructor(store: ParamStore, readonly name: string, channels: number, readonly frozen: boolean, trainable: boolean, zeroGamma = false) {
    this.gamma = store.create(`${name}/gamma`, [channels], { kind: 'constant', value: zeroGamma ? 0 : 1 }, 'norm', trainable);
    this.beta = store.create(`${name}/beta`, [channels], { kind: 'constant', value: 0 }, 'norm', trainable);
    this.mean = store.create(`${name}/mean`, [channels], { kind: 'constant', value: 0 }, 'stat', false);
    this.variance = store.create(`${name}/variance`, [channels], { kind: 'constant', value: 1 }, 'stat', false);
  }

  /** Per-channel scale and shift of the running statistics: y = x · scale + shift. */
  foldedAffine(): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.variance, BN_EPS))) as tf.Tensor1D;
    const shift = tf.sub(this.beta, tf.mul(this.mean, scale)) as tf.Tensor1D;
    return { scale, shift };
  }

  /** Whether this call normalizes with batch statistics (and updates the running ones). */
  usesBatchStats(training: boolean): boolean {
    return training && !this.frozen && this.gamma.trainable;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!this.usesBatchStats(training)) {
      const { scale, shift } = this.foldedAffine();
      return addChannelBias(scaleChannels(x, scale), shift);
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    this.updateRunning(mean, variance, x.size / x.shape[3]);
    const inv = tf.mul(this.gamma, tf.rsqrt(tf.add(variance, BN_EPS)));
    return addChannelBias(scaleChannels(tf.sub(x, mean), inv), this.beta);
  }

  private updateRunning(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const unbiased = count > 1 ? count / (count - 1) : 1;
    const m = BN_MOMENTUM;
    tf.tidy(() => {
      this.mean.assign(tf.add(tf.mul(this.mean, 1 - m), tf.mul(mean, m)));
      this.variance.assign(tf.add(tf.mul(this.variance, 1 - m), tf.mul(variance, m * unbiased)));
    });
  }
}

/** Conv (no bias) followed by batch norm; frozen BN is folded into the conv (one fused conv + bias). */
export class ConvBn {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(store: ParamStore, name: string, o: ConvOptions & { frozenBn: boolean; zeroGamma?: boolean }) {
    this.conv = new Conv2d(store, `${name}/conv`, { ...o, bias: false });
    this.bn = new BatchNorm(store, `${name}/bn`, o.outChannels, o.frozenBn, o.trainable ?? true, o.zeroGamma);
  }

  apply(x: tf.Tensor4D, training: boolean, relu: boolean): tf.Tensor4D {
    if (this.bn.usesBatchStats(training)) {
      const y = this.bn.apply(this.conv.apply(x), training);
      return relu ? tf.relu(y) : y;
    }
    const { scale, shift } = this.bn.foldedAffine();
    return convBiasRelu(x, scaleChannels(this.conv.kernel as tf.Tensor4D, scale), this.conv.stride, shift, relu);
  }
}

/** Group norm over NHWC with `groups` groups of C / groups channels (Wu & He, 2018). */
export class GroupNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(store: ParamStore, readonly name: string, readonly channels: number, readonly groups: number) {
    if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
      throw new FpnConfigError(`${name}.groups`, `must divide the ${channels} channels (got ${groups})`);
    }
    this.gamma = store.create(`${name}/gamma`, [channels], { kind: 'constant', value: 1 }, 'norm', true);
    this.beta = store.create(`${name}/beta`, [channels], { kind: 'constant', value: 0 }, 'norm', true);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    const g = tf.reshape(x, [b, h, w, this.groups, c / this.groups]);
    const { mean, variance } = tf.moments(g, [1, 2, 4], true);
    const normed = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, BN_EPS))), [b, h, w, c]);
    return addChannelBias(scaleChannels(normed as tf.Tensor4D, this.gamma), this.beta);
  }
}
