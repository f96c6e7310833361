/**
 * Optimizers behind one `Optimizer` interface (retina-train's `--optimizer sgd|adamw`):
 * - `SgdMomentum`: SGD with momentum and decoupled-from-norm weight decay, as in the PyTorch/detectron2
 *   recipe:
 *     g ← grad + wd · w   (wd = 0 for norm parameters and biases)
 *     v ← momentum · v + g
 *     w ← w − lr · v
 *   The velocity buffers are the whole state, keyed by variable name.
 * - `AdamW`: torch.optim.AdamW (decoupled weight decay), see its doc comment.
 * Both optionally clip the global gradient norm before the update (torch's clip_grad_norm_ rule), and
 * `state()`/`restore()` round-trip their buffers for checkpoints.
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

/** What a training loop needs of an optimizer. */
export interface Optimizer {
  /**
   * Applies one update at learning rate `lr` to `vars` with `grads` (keyed by variable name; variables
   * without a gradient are left alone). Disposes nothing it does not own.
   */
  apply(vars: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): Promise<StepResult>;
  /** Everything needed to resume exactly, as tensors (copies; the caller disposes them). */
  state(): tf.NamedTensorMap;
  /** Restores what `state()` returned, for the variables `vars`; unknown names or shapes are an error. */
  restore(state: tf.NamedTensorMap, vars: readonly tf.Variable[]): void;
  dispose(): void;
}

export class SgdMomentum implements Optimizer {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(private readonly opts: SgdOptions) {}

  /** Applies one update to `vars` with `grads` (same names). Disposes nothing it does not own. */
  async apply(vars: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): Promise<StepResult> {
    const { gradNorm, scale } = await clipScale(vars, grads, this.opts.clipGradNorm);
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
      vel = zerosVariable(v);
      this.velocity.set(v.name, vel);
    }
    return vel;
  }
}

export interface AdamWOptions {
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.999. */
  beta2?: number;
  /** Added to the denominator, after the bias correction (as torch does). Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay: w ← w · (1 − lr · weightDecay) before each update. */
  weightDecay: number;
  /** Clip the global L2 norm of all gradients to this value; 0 or undefined disables clipping. */
  clipGradNorm?: number;
  /** Whether weight decay applies to a variable (by name). Default: every variable. */
  decays?: (name: string) => boolean;
}

/** Raised by `restore()` when a saved optimizer state does not fit the optimizer or the model. */
export class OptimizerStateError extends Error {
  constructor(message: string) {
    super(`optimizer state: ${message}`);
    this.name = 'OptimizerStateError';
  }
}

/** State keys of AdamW: the step count and, per variable, the two moment buffers. */
const ADAMW_STEP_KEY = 'adamw/step';
const ADAMW_BUFFER_KEY = /^adamw\/(m|v)\/(.+)$/;
const adamwBufferKey = (moment: 'm' | 'v', variable: string) => `adamw/${moment}/${variable}`;

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * torch.optim.AdamW (amsgrad off), with the step count t shared by all variables (torch counts per
 * parameter; the two agree when every variable gets a gradient at every step, as in the trainer):
 *   t ← t + 1
 *   w ← w · (1 − lr · wd)                   (wd = 0 where `decays(name)` is false: norms, biases)
 *   m ← β1 · m + (1 − β1) · g
 *   v ← β2 · v + (1 − β2) · g²
 *   w ← w − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
 * `state()` holds `adamw/step` (int32 scalar) and `adamw/m/<variable>`, `adamw/v/<variable>`.
 */
export class AdamW implements Optimizer {
  private readonly moments = new Map<string, Moments>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private step = 0;

  constructor(private readonly opts: AdamWOptions) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    for (const [name, beta] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) throw new RangeError(`AdamW: ${name} must be in [0, 1) (got ${beta})`);
    }
    if (!(this.eps > 0)) throw new RangeError(`AdamW: eps must be > 0 (got ${this.eps})`);
    if (!(opts.weightDecay >= 0)) throw new RangeError(`AdamW: weightDecay must be >= 0 (got ${opts.weightDecay})`);
  }

  /** Optimizer steps taken (restored by `restore()`). */
  get steps(): number {
    return this.step;
  }

  async apply(vars: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): Promise<StepResult> {
    const { gradNorm, scale } = await clipScale(vars, grads, this.opts.clipGradNorm);
    const { beta1, beta2, eps } = this;
    const t = ++this.step;
    const stepSize = lr / (1 - beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** t);
    for (const w of vars) {
      const g = grads[w.name];
      if (!g) continue;
      const { m, v } = this.momentsOf(w);
      const wd = this.opts.decays === undefined || this.opts.decays(w.name) ? this.opts.weightDecay : 0;
      tf.tidy(() => {
        const grad = scale === 1 ? g : tf.mul(g, scale);
        const decayed = wd > 0 ? tf.mul(w, 1 - lr * wd) : w;
        const newM = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
        const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(newV), bias2Sqrt), eps);
        m.assign(newM);
        v.assign(newV);
        w.assign(tf.sub(decayed, tf.mul(tf.div(newM, denom), stepSize)));
      });
    }
    return { gradNorm };
  }

  state(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = { [ADAMW_STEP_KEY]: tf.scalar(this.step, 'int32') };
    for (const [name, { m, v }] of this.moments) {
      out[adamwBufferKey('m', name)] = m.clone();
      out[adamwBufferKey('v', name)] = v.clone();
    }
    return out;
  }

  /** Replaces the whole state (step count and every buffer) with one saved by `state()`; checks it all first. */
  restore(state: tf.NamedTensorMap, vars: readonly tf.Variable[]): void {
    const step = readStep(state);
    const byName = new Map(vars.map((v) => [v.name, v]));
    const found = { m: new Map<string, tf.Tensor>(), v: new Map<string, tf.Tensor>() };
    for (const [key, t] of Object.entries(state)) {
      if (key === ADAMW_STEP_KEY) continue;
      const match = ADAMW_BUFFER_KEY.exec(key);
      if (!match) {
        throw new OptimizerStateError(
          `unknown entry '${key}' (AdamW saves ${ADAMW_STEP_KEY}, ${adamwBufferKey('m', '<variable>')}, ${adamwBufferKey('v', '<variable>')}; was it saved by another optimizer?)`,
        );
      }
      const moment = match[1] as 'm' | 'v';
      const name = match[2];
      const w = byName.get(name);
      if (!w) throw new OptimizerStateError(`no variable named '${name}' in the model (entry '${key}')`);
      if (!tf.util.arraysEqual(w.shape, t.shape)) {
        throw new OptimizerStateError(`'${key}' has shape [${t.shape}], the variable [${w.shape}]`);
      }
      found[moment].set(name, t);
    }
    for (const [have, lack] of [['m', 'v'], ['v', 'm']] as const) {
      const missing = [...found[have].keys()].find((name) => !found[lack].has(name));
      if (missing !== undefined) throw new OptimizerStateError(`'${adamwBufferKey(have, missing)}' has no '${adamwBufferKey(lack, missing)}'`);
    }
    this.dispose();
    this.step = step;
    for (const [name, m] of found.m) {
      const moments = this.momentsOf(byName.get(name)!);
      tf.tidy(() => {
        moments.m.assign(tf.cast(m, 'float32'));
        moments.v.assign(tf.cast(found.v.get(name)!, 'float32'));
      });
    }
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  private momentsOf(w: tf.Variable): Moments {
    let moments = this.moments.get(w.name);
    if (!moments) {
      moments = { m: zerosVariable(w), v: zerosVariable(w) };
      this.moments.set(w.name, moments);
    }
    return moments;
  }
}

function readStep(state: tf.NamedTensorMap): number {
  const t = state[ADAMW_STEP_KEY];
  if (!t) throw new OptimizerStateError(`no '${ADAMW_STEP_KEY}' entry (was it saved by another optimizer?)`);
  const step = t.rank === 0 ? t.dataSync()[0] : NaN;
  if (!(Number.isInteger(step) && step >= 0)) {
    throw new OptimizerStateError(`'${ADAMW_STEP_KEY}' must be a scalar integer >= 0 (got shape [${t.shape}], value ${step})`);
  }
  return step;
}

export type OptimizerKind = 'sgd' | 'adamw';

/** The optimizer of a run; options that the chosen kind does not use are ignored. */
export function createOptimizer(kind: 'sgd', opts: SgdOptions): SgdMomentum;
export function createOptimizer(kind: 'adamw', opts: AdamWOptions): AdamW;
export function createOptimizer(kind: OptimizerKind, opts: SgdOptions & AdamWOptions): Optimizer;
export function createOptimizer(kind: OptimizerKind, opts: SgdOptions | AdamWOptions): Optimizer {
  switch (kind) {
    case 'sgd':
      return new SgdMomentum(opts as SgdOptions);
    case 'adamw':
      return new AdamW(opts as AdamWOptions);
    default:
      throw new RangeError(`createOptimizer: kind must be 'sgd' or 'adamw' (got '${kind as string}')`);
  }
}

/** torch's clip_grad_norm_ added to the norm before dividing, so that a zero norm stays finite. */
const CLIP_EPS = 1e-6;

/** The global L2 norm of the gradients of `vars`, and the factor that clips it to `clip` (1 when no clipping). */
async function clipScale(
  vars: readonly tf.Variable[],
  grads: tf.NamedTensorMap,
  clip = 0,
): Promise<{ gradNorm: number; scale: number }> {
  const normT = tf.tidy(() => globalNorm(vars.map((v) => grads[v.name]).filter((g): g is tf.Tensor => !!g)));
  const gradNorm = (await normT.data())[0];
  normT.dispose();
  return { gradNorm, scale: clip > 0 && gradNorm > clip ? clip / (gradNorm + CLIP_EPS) : 1 };
}

/** A non-trainable zero buffer shaped like `v` (the zeros tensor itself is not kept). */
function zerosVariable(v: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(v), false));
}

function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  if (grads.length === 0) return tf.scalar(0);
  return tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}
