/**
 * Per-channel bias and scale (broadcast over the last axis) with gradients computed as matrix
 * products. tfjs' generic broadcast gradients reduce over the leading axes by transposing first,
 * which tfjs-backend-cpu does element by element (indexToLoc) — the bulk of a cpu training step.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Σ over all leading axes of t [..., C] → [C], as ones[1, N] · t[N, C]. */
export function sumLeading(t: tf.Tensor): tf.Tensor1D {
  const c = t.shape[t.rank - 1];
  const rows = t.size / c;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(t, [rows, c])), [c]);
}

/** x [..., C] + b [C]. */
export function addChannelBias<T extends tf.Tensor>(x: T, b: tf.Tensor): T {
  const op = tf.customGrad((xi, bi) => ({
    value: tf.add(xi as tf.Tensor, bi as tf.Tensor),
    gradFunc: (dy) => [dy as tf.Tensor, sumLeading(dy as tf.Tensor)],
  }));
  return op(x, b) as T;
}

/** x [..., C] · s [C]. */
export function scaleChannels<T extends tf.Tensor>(x: T, s: tf.Tensor): T {
  const op = tf.customGrad((xi, si, save) => {
    (save as tf.GradSaveFunc)([xi as tf.Tensor, si as tf.Tensor]);
    return {
      value: tf.mul(xi as tf.Tensor, si as tf.Tensor),
      gradFunc: (dy, saved) => {
        const [sx, ss] = saved;
        return [tf.mul(dy as tf.Tensor, ss), sumLeading(tf.mul(dy as tf.Tensor, sx))];
      },
    };
  });
  return op(x, s) as T;
}

/** Whether a gradient tape is recording (tfjs' fused ops make the same check). */
export function isRecording(): boolean {
  return tf.engine().state.gradientDepth > 0;
}
