/**
 * The elementwise focal loss of retinaNetClassificationLoss — one-hot targets from integer labels,
 * with anchors left out — with its gradient written out. (sigmoidFocalLoss, whose targets may be
 * soft, uses the general form in soft-focal-term.ts, which equals this one for t ∈ {0, 1};
 * soft-targets.spec.ts checks the two against each other.) For binary targets t, let s = 1 − 2t (+1
 * for negatives, −1 for positives; 0 marks an element left out) and z = s·x, the logit of the wrong
 * answer. Then
 *   BCE(x, t) = −log p_t = softplus(z),   1 − p_t = σ(z),   α_t = s·(½·s + ½ − α)  (0 where s = 0),
 *   value     = α_t · σ(z)^γ · softplus(z),
 *   ∂value/∂x = α_t · s · σ(z)^γ · (γ·σ(−z)·softplus(z) + σ(z)).
 * softplus and σ are the engines' stable kernels — never log(σ(x)) — so values and gradients stay
 * finite at logits of ±100; with γ = 0 there is no modulating factor at all (no 0^0 and its NaN
 * gradient where p_t = 1).
 * Why a custom gradient: autodiff through the composite keeps a dozen logits-sized tensors for the
 * backward pass and differentiates through exp/softplus, the slow kernels on wasm. This keeps x, s and
 * softplus(z), recomputes the rest with cheap ops and frees as it goes: one [8, 100000, 80] graph fits
 * the 4 GB wasm heap. Gradients flow to the logits only (asking for one w.r.t. the signs or alpha
 * raises tfjs's gradient-shape error).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface FocalWeights {
  /** α for positives (negatives get 1 − α): a scalar, or [C] along the last axis. Omitted: no α term. */
  alpha?: tf.Tensor;
  /** True when some signs are 0 (elements left out); without `alpha` they then need masking. */
  excludes?: boolean;
}

/** tf.tidy(f), then disposes `done`: each step frees what the next ones no longer need. */
function then<T extends tf.Tensor>(f: () => T, ...done: tf.Tensor[]): T {
  const out = tf.tidy(f);
  tf.dispose(done);
  return out;
}

/** σ^γ (square for the default γ = 2: pow is a slow kernel on wasm). */
function power(sigma: tf.Tensor, gamma: number): tf.Tensor {
  if (gamma === 1) return tf.clone(sigma);
  return gamma === 2 ? tf.square(sigma) : tf.pow(sigma, gamma);
}

/** α_t, also 0 where s = 0; or s² (the exclusion mask) without α; or nothing to weigh by. */
function weightOf(s: tf.Tensor, alpha: tf.Tensor | undefined, excludes: boolean): tf.Tensor | undefined {
  if (alpha) return tf.tidy(() => tf.mul(s, tf.add(tf.mul(s, 0.5), tf.sub(0.5, alpha))));
  return excludes ? tf.square(s) : undefined;
}

/** v · weightOf(s, …); consumes (disposes) v. */
function weigh(v: tf.Tensor, s: tf.Tensor, alpha: tf.Tensor | undefined, excludes: boolean): tf.Tensor {
  const w = weightOf(s, alpha, excludes);
  return w ? then(() => tf.mul(v, w), v, w) : v;
}

/** σ(z)^γ · ce, with ce = softplus(z) and z = s·x. */
function forward(x: tf.Tensor, s: tf.Tensor, ce: tf.Tensor, gamma: number): tf.Tensor {
  if (gamma === 0) return tf.clone(ce);
  const m = tf.tidy(() => power(tf.sigmoid(tf.mul(x, s)), gamma));
  return then(() => tf.mul(ce, m), m);
}

/** ∂/∂z of σ(z)^γ · softplus(z): σ(z)^γ · (γ·σ(−z)·softplus(z) + σ(z)). */
function slope(x: tf.Tensor, s: tf.Tensor, ce: tf.Tensor, gamma: number): tf.Tensor {
  const z = tf.mul(x, s);
  const sigma = tf.sigmoid(z);
  if (gamma === 0) return then(() => sigma, z);
  const sigmaNeg = then(() => tf.sigmoid(tf.neg(z)), z);
  const focusing = then(() => tf.mul(tf.mul(sigmaNeg, ce), gamma), sigmaNeg);
  const inner = then(() => tf.add(focusing, sigma), focusing);
  const m = then(() => power(sigma, gamma), sigma);
  return then(() => tf.mul(m, inner), m, inner);
}

/**
 * α_t · (1 − p_t)^γ · BCE(x, t), elementwise, shaped like the logits (0 where the sign is 0).
 * @param logits float32, any shape
 * @param signs float32, same shape: 1 − 2·targets — +1 negative, −1 positive, 0 left out
 */
export function focalTerm(logits: tf.Tensor, signs: tf.Tensor, gamma: number, weights: FocalWeights = {}): tf.Tensor {
  const excludes = weights.excludes ?? false;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, s, alpha] = args.slice(0, 3) as tf.Tensor[];
    const a = weights.alpha ? alpha : undefined;
    const ce = tf.tidy(() => tf.softplus(tf.mul(x, s)));
    (args[3] as tf.GradSaveFunc)([x, s, ce, alpha]);
    return {
      value: weigh(then(() => forward(x, s, ce, gamma), ce), s, a, excludes),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss, ces, as] = saved;
        const dx = tf.tidy(() => {
          const dz = slope(xs, ss, ces, gamma);
          const g = then(() => tf.mul(tf.mul(dz, dy), ss), dz);
          return weigh(g, ss, weights.alpha ? as : undefined, false);
        });
        return [dx, tf.zeros([]), tf.zeros([])];
      },
    };
  });
  return tf.tidy(() => op(logits, signs, weights.alpha ?? tf.scalar(1)));
}
