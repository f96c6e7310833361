/**
 * Named parameters of a model built from tfjs-core ops: one store per model, each parameter a
 * tf.Variable with a stable canonical name (`backbone/stem/conv/kernel`), a kind (what it is, which
 * decides weight decay) and seeded, deterministic initial values (same seed → identical weights).
 */
import * as tf from '@tensorflow/tfjs-core';
import { FpnConfigError } from './errors';

/** kernel: conv weights; bias; norm: BN/GN gamma and beta; stat: BN running mean/variance. */
export type ParamKind = 'kernel' | 'bias' | 'norm' | 'stat';

export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'constant'; value: number };

export interface Param {
  /** Canonical name, the same in every process (save/load use it). */
  name: string;
  kind: ParamKind;
  variable: tf.Variable;
}

/** FNV-1a of a string: a per-parameter seed derived from the model seed and the name. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** n samples of N(0, std²) from a seeded generator (mulberry32 + Box–Muller): fast and engine-independent. */
export function seededNormal(n: number, std: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/**
 * tfjs variable names are global to the engine; a second live model with the same canonical names
 * gets its variables suffixed `:1`, `:2`, … (canonical names stay the same for save/load).
 */
function freeVariableName(name: string): string {
  const taken = tf.engine().registeredVariables;
  if (taken[name] === undefined) return name;
  for (let i = 1; ; i++) if (taken[`${name}:${i}`] === undefined) return `${name}:${i}`;
}

export class ParamStore {
  private readonly params = new Map<string, Param>();
  private readonly byVariable = new Map<string, Param>();

  constructor(readonly seed = 0) {}

  /** Creates a parameter; trainable ones appear in `trainable()`, the rest in `state()`. */
  create(name: string, shape: number[], init: Init, kind: ParamKind, trainable: boolean): tf.Variable {
    if (this.params.has(name)) throw new FpnConfigError(name, 'parameter created twice (duplicate module name)');
    const size = shape.reduce((a, b) => a * b, 1);
    const value =
      init.kind === 'normal'
        ? tf.tensor(seededNormal(size, init.std, hashSeed(`${this.seed}/${name}`)), shape)
        : tf.fill(shape, init.value);
    const variable = tf.variable(value, trainable && kind !== 'stat', freeVariableName(name));
    value.dispose();
    const param = { name, kind, variable };
    this.params.set(name, param);
    this.byVariable.set(variable.name, param);
    return variable;
  }

  get(name: string): Param | undefined {
    return this.params.get(name);
  }

  all(): Param[] {
    return [...this.params.values()];
  }

  /** Variables the optimizer updates. */
  trainable(): tf.Variable[] {
    return this.all().filter((p) => p.variable.trainable).map((p) => p.variable);
  }

  /** Non-trainable state: BN running statistics and frozen parameters. */
  state(): tf.Variable[] {
    return this.all().filter((p) => !p.variable.trainable).map((p) => p.variable);
  }

  /** Param by its variable's (engine) name. */
  byVariableName(variableName: string): Param | undefined {
    return this.byVariable.get(variableName);
  }

  dispose(): void {
    for (const p of this.params.values()) p.variable.dispose();
    this.params.clear();
    this.byVariable.clear();
  }
}
