/**
 * SGD with momentum and decoupled-from-norm weight decay, as in the PyTorch/detectron2 recipe:
 *   g ← grad + wd · w   (wd = 0 for norm parameters and biases)
 *   v ← momentum · v + g
 *   w ← w − lr · v
 * Optional clipping of the global gradient norm before the update. The velocity buffers are the whole
 * state; `state()`/`restore()` round-trip them for checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  /** Clip the global L2 norm of all gradients to this value; 0 or undefined disables clipping. */
  clipGradNorm?: number;
  /** Whether weight decay applies to a variable (by name). Default: every variable. */
  decays?: (name: string) => boolean;
}

export interface StepResult {
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

export class SgdMomentum {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(private readonly opts: SgdOptions) {}

  /** Applies one update to `vars` with `grads` (same names). Disposes nothing it does not own. */
  async apply(vars: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): Promise<StepResult> {
    const normT = tf.tidy(() => globalNorm(vars.map((v) => grads[v.name]).filter((g): g is tf.Tensor => !!g)));
    const gradNorm = (await normT.data())[0];
    normT.dispose();
    const clip = this.opts.clipGradNorm ?? 0;
    const scale = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1;
    for (const v of vars) {
      const g = grads[v.name];
      if (!g) continue;
      const vel = this.velocityOf(v);
      const wd = this.opts.decays === undefined || this.opts.decays(v.name) ? this.opts.weightDecay : 0;
      tf.tidy(() => {
        let step = scale === 1 ? g : tf.mul(g, scale);
        if (wd > 0) step = tf.add(step, tf.mul(v, wd));
        const newVel = tf.add(tf.mul(vel, this.opts.momentum), step);
        vel.assign(newVel);
        v.assign(tf.sub(v, tf.mul(newVel, lr)));
      });
    }
    return { gradNorm };
  }

  /** Velocity buffers by variable name (copies; the caller disposes them). */
  state(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [name, v] of this.velocity) out[name] = v.clone();
    return out;
  }

  /** Restores velocity buffers saved by `state()`; unknown names are an error. */
  restore(state: tf.NamedTensorMap, vars: readonly tf.Variable[]): void {
    const byName = new Map(vars.map((v) => [v.name, v]));
    for (const [name, t] of Object.entries(state)) {
      const v = byName.get(name);
      if (!v) throw new Error(`optimizer state: no variable named '${name}' in the model`);
      if (!tf.util.arraysEqual(v.shape, t.shape)) {
        throw new Error(`optimizer state: '${name}' has shape [${t.shape}], the variable [${v.shape}]`);
      }
      this.velocityOf(v).assign(t);
    }
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }

  private velocityOf(v: tf.Variable): tf.Variable {
    let vel = this.velocity.get(v.name);
    if (!vel) {
      vel = tf.variable(tf.zerosLike(v), false);
      this.velocity.set(v.name, vel);
    }
    return vel;
  }
}

function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  if (grads.length === 0) return tf.scalar(0);
  return tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}
