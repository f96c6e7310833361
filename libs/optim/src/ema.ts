/**
 * Exponential moving average of the model's variables, as ultralytics' ModelEMA:
 *   updates ← updates + 1
 *   d = decay · (1 − exp(−updates / tau))
 *   e ← d · e + (1 − d) · w        for every float variable (weights and batch-norm running statistics)
 * The average starts as a copy of the variables; the warm-up factor keeps d near 0 early on, so the
 * average follows the weights while they move fast. Evaluate with the average through
 * `withEmaWeights`; checkpoint it with `state()`/`restore()`.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface EmaOptions {
  /** Decay once warmed up. Default 0.9999 (ultralytics). */
  decay?: number;
  /** Warm-up time constant in updates: d reaches 63 % of `decay` after `tau` updates. Default 2000. */
  tau?: number;
}

/** Every key of `ModelEma.state()` starts with this, so it can share a checkpoint with the optimizer's state. */
export const EMA_STATE_PREFIX = 'ema/';
/** State keys: the update count (int32 scalar) and the average of each variable. */
const UPDATES_KEY = `${EMA_STATE_PREFIX}updates`;
const VAR_PREFIX = `${EMA_STATE_PREFIX}var/`;

/** Raised when variables or a saved state do not match the variables the average was made for. */
export class EmaError extends Error {
  constructor(message: string) {
    super(`ModelEma: ${message}`);
    this.name = 'EmaError';
  }
}

export class ModelEma {
  /** The averages, by variable name (float variables only). */
  private readonly averages = new Map<string, tf.Variable>();
  private readonly decay: number;
  private readonly tau: number;
  private count = 0;

  /** Starts the average at the current values of the float variables among `sources`. */
  constructor(sources: readonly tf.Variable[], opts: EmaOptions = {}) {
    this.decay = opts.decay ?? 0.9999;
    this.tau = opts.tau ?? 2000;
    if (!(this.decay >= 0 && this.decay < 1)) throw new RangeError(`ModelEma: decay must be in [0, 1) (got ${this.decay})`);
    if (!(this.tau > 0)) throw new RangeError(`ModelEma: tau must be > 0 (got ${this.tau})`);
    for (const v of sources.filter(isFloat)) {
      this.averages.set(v.name, tf.tidy(() => tf.variable(tf.clone(v), false)));
    }
  }

  /** Updates done so far (restored by `restore()`). */
  get updates(): number {
    return this.count;
  }

  /** The decay d used by update number `updates` (1-based). */
  decayAt(updates: number): number {
    return this.decay * (1 - Math.exp(-updates / this.tau));
  }

  /** Moves the average towards the current values of `sources` (the same variables as at construction). */
  update(sources: readonly tf.Variable[]): void {
    const pairs = this.match(sources, 'update');
    const d = this.decayAt(++this.count);
    for (const [w, e] of pairs) tf.tidy(() => e.assign(tf.add(tf.mul(e, d), tf.mul(w, 1 - d))));
  }

  /** Gives `vars` the averaged values (for good: e.g. before saving the final model). */
  copyTo(vars: readonly tf.Variable[]): void {
    for (const [w, e] of this.match(vars, 'copyTo')) w.assign(e);
  }

  /**
   * Runs `fn` with the averaged values in `vars` (e.g. a validation pass), then gives `vars` their
   * own values back, also when `fn` throws. No tensor data is copied: variables share buffers.
   */
  async withEmaWeights<T>(vars: readonly tf.Variable[], fn: () => Promise<T> | T): Promise<T> {
    const pairs = this.match(vars, 'withEmaWeights');
    const own = pairs.map(([w]) => tf.clone(w));
    try {
      for (const [w, e] of pairs) w.assign(e);
      return await fn();
    } finally {
      pairs.forEach(([w], i) => w.assign(own[i]));
      tf.dispose(own);
    }
  }

  /** `ema/updates` and `ema/var/<variable>` for every average (copies; the caller disposes them). */
  state(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = { [UPDATES_KEY]: tf.scalar(this.count, 'int32') };
    for (const [name, e] of this.averages) out[VAR_PREFIX + name] = e.clone();
    return out;
  }

  /** Replaces the update count and every average with a state saved by `state()`; checks it all first. */
  restore(state: tf.NamedTensorMap): void {
    const updates = state[UPDATES_KEY];
    if (!updates) throw new EmaError(`state has no '${UPDATES_KEY}' entry`);
    const count = updates.rank === 0 ? updates.dataSync()[0] : NaN;
    if (!(Number.isInteger(count) && count >= 0)) {
      throw new EmaError(`'${UPDATES_KEY}' must be a scalar integer >= 0 (got shape [${updates.shape}], value ${count})`);
    }
    for (const [key, t] of Object.entries(state)) {
      if (key === UPDATES_KEY) continue;
      const e = key.startsWith(VAR_PREFIX) ? this.averages.get(key.slice(VAR_PREFIX.length)) : undefined;
      if (!e) throw new EmaError(`state entry '${key}' matches no averaged variable`);
      if (!tf.util.arraysEqual(e.shape, t.shape)) throw new EmaError(`'${key}' has shape [${t.shape}], the variable [${e.shape}]`);
    }
    const missing = [...this.averages.keys()].filter((name) => !state[VAR_PREFIX + name]);
    if (missing.length > 0) throw new EmaError(`state lacks the average of ${missing.map((n) => `'${n}'`).join(', ')}`);
    this.count = count;
    for (const [name, e] of this.averages) tf.tidy(() => e.assign(tf.cast(state[VAR_PREFIX + name], 'float32')));
  }

  dispose(): void {
    tf.dispose([...this.averages.values()]);
    this.averages.clear();
  }

  /** Pairs each float variable of `vars` with its average; the two sets of names must be the same. */
  private match(vars: readonly tf.Variable[], caller: string): [tf.Variable, tf.Variable][] {
    const pairs: [tf.Variable, tf.Variable][] = [];
    for (const w of vars.filter(isFloat)) {
      const e = this.averages.get(w.name);
      if (!e) throw new EmaError(`${caller}: variable '${w.name}' has no average (not given to the constructor)`);
      if (!tf.util.arraysEqual(e.shape, w.shape)) throw new EmaError(`${caller}: '${w.name}' has shape [${w.shape}], its average [${e.shape}]`);
      pairs.push([w, e]);
    }
    if (pairs.length !== this.averages.size) {
      const given = new Set(pairs.map(([w]) => w.name));
      const absent = [...this.averages.keys()].filter((n) => !given.has(n));
      throw new EmaError(`${caller}: no variable given for ${absent.map((n) => `'${n}'`).join(', ')}`);
    }
    return pairs;
  }
}

/** Splits a checkpoint's tensors into the entries of `ModelEma.state()` and the rest. */
export function splitEmaState(state: tf.NamedTensorMap): { ema: tf.NamedTensorMap; rest: tf.NamedTensorMap } {
  const ema: tf.NamedTensorMap = {};
  const rest: tf.NamedTensorMap = {};
  for (const [key, t] of Object.entries(state)) (key.startsWith(EMA_STATE_PREFIX) ? ema : rest)[key] = t;
  return { ema, rest };
}

function isFloat(v: tf.Variable): boolean {
  return v.dtype === 'float32';
}
