/**
 * The building blocks, as small objects over a ParamStore: a 2-D convolution (optionally with bias),
 * batch norm (frozen: running statistics folded into a per-channel affine; or batch statistics with
 * running averages, synchronised over data-parallel replicas when asked) and group norm. NHWC throughout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addChannelBias, isRecording, scaleChannels, sumLeading } from './channel-ops';
import { batchNormTrainingHost } from './batch-norm-host';
import { BN_EPS, BN_MOMENTUM } from './constants';
import { currentCrossReplica, type CrossReplicaSum } from './cross-replica';
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

export { BN_EPS, BN_MOMENTUM } from './constants';

/** Normalisation of the backbone's convs: batch statistics, frozen running statistics, or group norm. */
export type NormKind = 'bn' | 'frozen-bn' | 'gn';

/** Per-channel numbers of a small float tensor, as float64 (for a sum over the replicas). */
const float64 = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync() as Float32Array);

/**
 * Training-mode batch norm of x [N, H, W, C] with tfjs ops and its own gradient: moments over N·H·W
 * (of the replicas' whole batch when `sync` is given), y = γ · (x − μ) / √(σ² + ε) + β, and
 * ∂x = γ / √(σ² + ε) · (∂y − mean(∂y) − x̂ · mean(∂y · x̂)) with the means over the whole batch. Four
 * element-wise kernels forward (x − μ, its square, the scale, the shift) and five backward; the
 * per-channel sums are matrix products (ones · X), which the wasm engine runs on XNNPACK.
 * Reports the batch moments (biased variance) and the element count per channel to `onMoments`.
 */
export function batchNormTrainingOps(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  sync: CrossReplicaSum | undefined,
  onMoments: (mean: tf.Tensor1D, variance: tf.Tensor1D, count: number) => void,
): tf.Tensor4D {
  const c = x.shape[3];
  const rows = x.size / c;
  const op = tf.customGrad((xi, g, b, save) => {
    const x2 = tf.reshape(xi as tf.Tensor, [rows, c]);
    let count = rows;
    let mean: tf.Tensor1D;
    if (sync) {
      const local = new Float64Array(c + 1);
      local.set(float64(sumLeading(x2)));
      local[c] = rows;
      const total = sync.sum(local);
      count = total[c];
      mean = tf.tensor1d(Float32Array.from(total.subarray(0, c), (v) => v / count));
    } else {
      mean = tf.div(sumLeading(x2), rows) as tf.Tensor1D;
    }
    const centred = tf.sub(x2, mean);
    const squares = sumLeading(tf.square(centred));
    const variance = (sync ? tf.tensor1d(Float32Array.from(sync.sum(float64(squares)), (v) => v / count)) : tf.div(squares, rows)) as tf.Tensor1D;
    onMoments(mean, variance, count);
    const invStd = tf.rsqrt(tf.add(variance, BN_EPS));
    const scale = tf.mul(g as tf.Tensor, invStd);
    (save as tf.GradSaveFunc)([centred, invStd, scale]);
    return {
      value: tf.reshape(tf.add(tf.mul(centred, scale), b as tf.Tensor), x.shape),
      gradFunc: (dy, saved) => {
        const [sc, si, ss] = saved;
        const dy2 = tf.reshape(dy as tf.Tensor, [rows, c]);
        const sumDy = sumLeading(dy2);
        // Σ ∂y · x̂ = Σ ∂y · (x − μ) / σ
        const sumDyXhat = tf.mul(sumLeading(tf.mul(dy2, sc)), si);
        let meanDy: tf.Tensor = tf.div(sumDy, count);
        let meanDyXhat: tf.Tensor = tf.div(sumDyXhat, count);
        if (sync) {
          // Σ_r w_r · (sums of replica r), divided by this replica's weight (see CrossReplicaSum.lossWeight)
          const w = sync.lossWeight;
          const local = new Float64Array(2 * c);
          float64(sumDy).forEach((v, i) => (local[i] = w * v));
          float64(sumDyXhat).forEach((v, i) => (local[c + i] = w * v));
          const total = sync.sum(local);
          meanDy = tf.tensor1d(Float32Array.from(total.subarray(0, c), (v) => v / (w * count)));
          meanDyXhat = tf.tensor1d(Float32Array.from(total.subarray(c), (v) => v / (w * count)));
        }
        // ∂x = s (∂y − mean(∂y)) − (x − μ) · s / σ · mean(∂y x̂)
        const dx = tf.sub(tf.mul(tf.sub(dy2, meanDy), ss), tf.mul(sc, tf.mul(tf.mul(ss, si), meanDyXhat)));
        return [tf.reshape(dx, x.shape), sumDyXhat, sumDy];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;

  /**
   * @param frozen use the running statistics always (FrozenBatchNorm: for weights trained elsewhere)
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

  /**
   * Training (batch statistics): normalises with the moments of the batch — of the whole data-parallel
   * batch when a CrossReplicaSum is installed (see withCrossReplica) — and moves the running
   * statistics. Otherwise: the running statistics.
   */
  apply(x: tf.Tensor4D, training: boolean, relu = false): tf.Tensor4D {
    if (!this.usesBatchStats(training)) {
      const { scale, shift } = this.foldedAffine();
      const y = addChannelBias(scaleChannels(x, scale), shift);
      return relu ? tf.relu(y) : y;
    }
    const onMoments = (mean: tf.Tensor1D, variance: tf.Tensor1D, count: number) => this.updateRunning(mean, variance, count);
    const sync = currentCrossReplica();
    // the cpu engine runs element-wise ops as plain JS loops with an allocation each: one loop per pass
    // is faster there; on wasm the SIMD kernels are as fast as JS loops (measured 2026-12-06: BN fwd + bwd of
    // [4,128,128,32], 40–52 ms ops vs 42–45 ms loops) and GPU engines need ops
    const y = tf.getBackend() === 'cpu'
      ? batchNormTrainingHost(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, sync, onMoments)
      : batchNormTrainingOps(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, sync, onMoments);
    return relu ? tf.relu(y) : y;
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

/** Group count of a backbone group norm over `channels`: 32 groups, fewer so that groups hold ≥ 4 channels. */
export function backboneGroups(channels: number): number {
  let g = Math.max(1, Math.min(32, Math.floor(channels / 4)));
  while (channels % g !== 0) g--;
  return g;
}

/**
 * Conv (no bias) followed by a norm: batch norm (frozen BN is folded into the conv: one fused conv +
 * bias) or group norm.
 */
export class ConvNorm {
  readonly conv: Conv2d;
  readonly bn?: BatchNorm;
  readonly gn?: GroupNorm;

  constructor(store: ParamStore, name: string, o: ConvOptions & { norm: NormKind; zeroGamma?: boolean }) {
    this.conv = new Conv2d(store, `${name}/conv`, { ...o, bias: false });
    if (o.norm === 'gn') this.gn = new GroupNorm(store, `${name}/gn`, o.outChannels, backboneGroups(o.outChannels), o.trainable ?? true, o.zeroGamma);
    else this.bn = new BatchNorm(store, `${name}/bn`, o.outChannels, o.norm === 'frozen-bn', o.trainable ?? true, o.zeroGamma);
  }

  apply(x: tf.Tensor4D, training: boolean, relu: boolean): tf.Tensor4D {
    if (this.gn) {
      const y = this.gn.apply(this.conv.apply(x));
      return relu ? tf.relu(y) : y;
    }
    if (this.bn!.usesBatchStats(training)) return this.bn!.apply(this.conv.apply(x), training, relu);
    const { scale, shift } = this.bn!.foldedAffine();
    return convBiasRelu(x, scaleChannels(this.conv.kernel as tf.Tensor4D, scale), this.conv.stride, shift, relu);
  }
}

/** Group norm over NHWC with `groups` groups of C / groups channels (Wu & He, 2018). */
export class GroupNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(store: ParamStore, readonly name: string, readonly channels: number, readonly groups: number, trainable = true, zeroGamma = false) {
    if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
      throw new FpnConfigError(`${name}.groups`, `must divide the ${channels} channels (got ${groups})`);
    }
    this.gamma = store.create(`${name}/gamma`, [channels], { kind: 'constant', value: zeroGamma ? 0 : 1 }, 'norm', trainable);
    this.beta = store.create(`${name}/beta`, [channels], { kind: 'constant', value: 0 }, 'norm', trainable);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    const g = tf.reshape(x, [b, h, w, this.groups, c / this.groups]);
    const { mean, variance } = tf.moments(g, [1, 2, 4], true);
    const normed = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, BN_EPS))), [b, h, w, c]);
    return addChannelBias(scaleChannels(normed as tf.Tensor4D, this.gamma), this.beta);
  }
}
