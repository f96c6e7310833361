/**
 * The elementwise sigmoid focal loss for targets t ∈ [0, 1] (soft labels as well as 0/1), with its
 * gradient written out — the general form of torchvision's `sigmoid_focal_loss`:
 *   p = σ(x),   p_t = p·t + (1 − p)(1 − t),   α_t = α·t + (1 − α)(1 − t),
 *   BCE = −t·log p − (1 − t)·log(1 − p),   value = α_t · (1 − p_t)^γ · BCE.
 * Stable form: with u = exp(−|x|) ∈ (0, 1] and m = (x > 0 ? 1 − t : t) — the weight on the side the
 * logit's sign argues against —
 *   BCE = log1p(u) + m·|x|,   q = 1 − p_t = (m + (1 − m)·u) / (1 + u),
 * sums of non-negative terms: no cancellation and no log(σ(x)), so values stay finite at logits of
 * ±100 (and ±1e4) in float32. For t ∈ {0, 1} these are focal-term.ts's softplus(z) and σ(z).
 * Gradient, with σ(x) − t = sgn·(m − (1 − m)·u) / (1 + u) (sgn = +1 for x > 0, else −1):
 *   ∂value/∂x = α_t · q^γ · (γ·r·(1 − 2t)·BCE + σ(x) − t),   r = σ(x)·σ(−x) / q = u / ((1 + u)(m + (1 − m)·u)).
 * r ≤ 1, taken as 0 where q = 0 (q^γ is 0 there for γ > 0, and γ = 0 has no such term), so no
 * q^(γ − 1) appears: finite gradients for every γ ≥ 0. Forward keeps x, t, u and BCE for the backward
 * pass; gradients flow to the logits only.
 */
import * as tf from '@tensorflow/tfjs-core';

/** q^γ (square for the default γ = 2: pow is a slow kernel on wasm). */
function power(q: tf.Tensor, gamma: number): tf.Tensor {
  if (gamma === 1) return q;
  return gamma === 2 ? tf.square(q) : tf.pow(q, gamma);
}

/** m = t where x ≤ 0, 1 − t where x > 0. */
function wrongSideWeight(x: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.add(t, tf.mul(tf.step(x), tf.sub(1, tf.mul(t, 2))));
}

/** α_t = α·t + (1 − α)(1 − t), with α a scalar or [C] along the last axis. */
function alphaOf(alpha: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(1, alpha), tf.mul(t, tf.sub(tf.mul(alpha, 2), 1)));
}

/** q = (m + (1 − m)·u) / (1 + u), from m and u. */
function wrongness(m: tf.Tensor, u: tf.Tensor): { den: tf.Tensor; onePlusU: tf.Tensor; q: tf.Tensor } {
  const den = tf.add(m, tf.mul(tf.sub(1, m), u));
  const onePlusU = tf.add(1, u);
  return { den, onePlusU, q: tf.div(den, onePlusU) };
}

/**
 * α_t · (1 − p_t)^γ · BCE(x, t), elementwise, shaped like the logits.
 * @param logits float32, any shape
 * @param targets float32, same shape, every value in [0, 1] (not checked here)
 * @param alpha α for t = 1 (1 − α for t = 0): a scalar, or [C] along the last axis; omitted: no α term
 */
export function softFocalTerm(logits: tf.Tensor, targets: tf.Tensor, gamma: number, alpha?: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, t, a] = args.slice(0, 3) as tf.Tensor[];
    const { u, ce } = tf.tidy(() => {
      const ax = tf.abs(x);
      const e = tf.exp(tf.neg(ax));
      return { u: e, ce: tf.add(tf.log1p(e), tf.mul(wrongSideWeight(x, t), ax)) };
    });
    (args[3] as tf.GradSaveFunc)([x, t, u, ce, a]);
    const value = tf.tidy(() => {
      const v = gamma === 0 ? ce : tf.mul(ce, power(wrongness(wrongSideWeight(x, t), u).q, gamma));
      return alpha ? tf.mul(v, alphaOf(a, t)) : tf.clone(v);
    });
    tf.dispose([u, ce]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ts, us, ces, as] = saved;
        const dx = tf.tidy(() => {
          const m = wrongSideWeight(xs, ts);
          const { den, onePlusU, q } = wrongness(m, us);
          const sign = tf.sub(tf.mul(tf.step(xs), 2), 1);
          const ceSlope = tf.div(tf.mul(sign, tf.sub(m, tf.mul(tf.sub(1, m), us))), onePlusU); // σ(x) − t
          let g = ceSlope;
          if (gamma > 0) {
            const r = tf.divNoNan(us, tf.mul(onePlusU, den));
            const focusing = tf.mul(tf.mul(r, tf.sub(1, tf.mul(ts, 2))), tf.mul(ces, gamma));
            g = tf.mul(power(q, gamma), tf.add(focusing, ceSlope));
          }
          return tf.mul(alpha ? tf.mul(g, alphaOf(as, ts)) : g, dy);
        });
        return [dx, tf.zeros([]), tf.zeros([])];
      },
    };
  });
  return tf.tidy(() => op(logits, targets, alpha ?? tf.scalar(1)));
}
