/**
 * Training-mode batch norm on the cpu engine, whose element-wise ops are plain JS loops with an
 * allocation each: per-channel sums in float64 in one pass over the values, the output in one pass,
 * and likewise backward. (On wasm the SIMD kernels of batchNormTrainingOps are as fast.) Same
 * contract as batchNormTrainingOps in layers.ts; batch-norm.spec.ts compares both with a tf.moments
 * reference on both engines. Values are read with dataSync, which on the cpu engine is its own
 * array (no copy) and on other engines a copy.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CrossReplicaSum } from './cross-replica';
import { BN_EPS } from './constants';

/**
 * y = γ (x − μ) / √(σ² + ε) + β over x [N, H, W, C] with the batch's moments (the replicas' whole batch
 * when `sync` is given); `onMoments` receives μ, the biased σ² and the element count per channel.
 */
export function batchNormTrainingHost(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  sync: CrossReplicaSum | undefined,
  onMoments: (mean: tf.Tensor1D, variance: tf.Tensor1D, count: number) => void,
): tf.Tensor4D {
  const c = x.shape[3];
  const rows = x.size / c;
  const op = tf.customGrad((xi, g, b, save) => {
    const xv = (xi as tf.Tensor).dataSync() as Float32Array;
    // Σx and Σx² per channel, then the count, in one vector (one sum over the replicas)
    let sums: Float64Array = new Float64Array(2 * c + 1);
    for (let r = 0, at = 0; r < rows; r++) {
      for (let k = 0; k < c; k++, at++) {
        const v = xv[at];
        sums[k] += v;
        sums[c + k] += v * v;
      }
    }
    sums[2 * c] = rows;
    if (sync) sums = sync.sum(sums);
    const count = sums[2 * c];
    const gv = (g as tf.Tensor).dataSync();
    const bv = (b as tf.Tensor).dataSync();
    const mean = new Float64Array(c);
    const variance = new Float64Array(c);
    const invStd = new Float64Array(c);
    const scale = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let k = 0; k < c; k++) {
      mean[k] = sums[k] / count;
      variance[k] = Math.max(0, sums[c + k] / count - mean[k] * mean[k]);
      invStd[k] = 1 / Math.sqrt(variance[k] + BN_EPS);
      scale[k] = gv[k] * invStd[k];
      shift[k] = bv[k] - mean[k] * scale[k];
    }
    const y = new Float32Array(x.size);
    for (let r = 0, at = 0; r < rows; r++) {
      for (let k = 0; k < c; k++, at++) y[at] = xv[at] * scale[k] + shift[k];
    }
    onMoments(tf.tensor1d(Float32Array.from(mean)), tf.tensor1d(Float32Array.from(variance)), count);
    (save as tf.GradSaveFunc)([xi as tf.Tensor]);
    return {
      value: tf.tensor4d(y, x.shape),
      gradFunc: (dy, saved) => {
        const dv = (dy as tf.Tensor).dataSync() as Float32Array;
        const sx = saved[0].dataSync() as Float32Array;
        // Σ∂y and Σ∂y·x per channel; Σ∂y·x̂ = (Σ∂y·x − μ Σ∂y) / σ
        const local = new Float64Array(2 * c);
        for (let r = 0, at = 0; r < rows; r++) {
          for (let k = 0; k < c; k++, at++) {
            const d = dv[at];
            local[k] += d;
            local[c + k] += d * sx[at];
          }
        }
        const dBeta = new Float32Array(c);
        const dGamma = new Float32Array(c);
        const dyXhat = new Float64Array(c);
        for (let k = 0; k < c; k++) {
          dyXhat[k] = (local[c + k] - mean[k] * local[k]) * invStd[k];
          dBeta[k] = local[k];
          dGamma[k] = dyXhat[k];
        }
        // with replicas: Σ_r w_r · (sums of r) / w (see CrossReplicaSum.lossWeight)
        let sumDy: Float64Array = local.subarray(0, c);
        let sumDyXhat: Float64Array = dyXhat;
        if (sync) {
          const w = sync.lossWeight;
          const weighted = new Float64Array(2 * c);
          for (let k = 0; k < c; k++) {
            weighted[k] = w * local[k];
            weighted[c + k] = w * dyXhat[k];
          }
          const total = sync.sum(weighted);
          sumDy = total.subarray(0, c).map((v) => v / w);
          sumDyXhat = total.subarray(c).map((v) => v / w);
        }
        // ∂x = s (∂y − mean(∂y) − x̂ mean(∂y x̂)) = s ∂y + k1 x + k0, s = γ / σ
        const k1 = new Float32Array(c);
        const k0 = new Float32Array(c);
        for (let k = 0; k < c; k++) {
          const md = sumDy[k] / count;
          const mdx = sumDyXhat[k] / count;
          k1[k] = -scale[k] * invStd[k] * mdx;
          k0[k] = -scale[k] * md + scale[k] * invStd[k] * mdx * mean[k];
        }
        const dx = new Float32Array(x.size);
        for (let r = 0, at = 0; r < rows; r++) {
          for (let k = 0; k < c; k++, at++) dx[at] = dv[at] * scale[k] + sx[at] * k1[k] + k0[k];
        }
        return [tf.tensor4d(dx, x.shape), tf.tensor1d(dGamma), tf.tensor1d(dBeta)];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}
