import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AdamW, createOptimizer, OptimizerStateError, SgdMomentum, type AdamWOptions } from './optimizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Plain-number reference of the PyTorch SGD update (momentum, weight decay). */
function referenceSgd(w: number[], grads: number[][], lr: number, m: number, wd: number): number[] {
  const v = w.map(() => 0);
  const x = [...w];
  for (const g of grads) {
    for (let i = 0; i < x.length; i++) {
      v[i] = m * v[i] + g[i] + wd * x[i];
      x[i] -= lr * v[i];
    }
  }
  return x;
}

describe('SgdMomentum', () => {
  it('matches the PyTorch SGD update over several steps', async () => {
    const w0 = [0.5, -1, 2];
    const grads = [[0.1, 0.2, -0.3], [0.05, -0.4, 0.2], [1, 0, -1]];
    const w = tf.variable(tf.tensor1d(w0), true, 'w');
    const opt = new SgdMomentum({ momentum: 0.9, weightDecay: 0.01 });
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      await opt.apply([w], { w: gt }, 0.1);
      gt.dispose();
    }
    const expected = referenceSgd(w0, grads, 0.1, 0.9, 0.01);
    const got = Array.from(await w.data());
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
    opt.dispose();
    w.dispose();
  });

  it('skips weight decay where the mask says so', async () => {
    const w = tf.variable(tf.tensor1d([1]), true, 'bn/gamma');
    const opt = new SgdMomentum({ momentum: 0, weightDecay: 0.5, decays: (n) => !n.startsWith('bn/') });
    const g = tf.tensor1d([0]);
    await opt.apply([w], { 'bn/gamma': g }, 1);
    expect((await w.data())[0]).toBe(1);
    g.dispose();
    opt.dispose();
    w.dispose();
  });

  it('clips the global gradient norm', async () => {
    const a = tf.variable(tf.tensor1d([0]), true, 'a');
    const b = tf.variable(tf.tensor1d([0]), true, 'b');
    const opt = new SgdMomentum({ momentum: 0, weightDecay: 0, clipGradNorm: 1 });
    const ga = tf.tensor1d([3]);
    const gb = tf.tensor1d([4]);
    const { gradNorm } = await opt.apply([a, b], { a: ga, b: gb }, 1);
    expect(gradNorm).toBeCloseTo(5, 5);
    expect((await a.data())[0]).toBeCloseTo(-0.6, 5);
    expect((await b.data())[0]).toBeCloseTo(-0.8, 5);
    tf.dispose([ga, gb, a, b]);
    opt.dispose();
  });

  it('round-trips its state and leaks no tensors', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, 'w');
    const opt = new SgdMomentum({ momentum: 0.9, weightDecay: 0 });
    const g = tf.tensor1d([1, 1]);
    await opt.apply([w], { w: g }, 0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await opt.apply([w], { w: g }, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    const state = opt.state();
    const opt2 = new SgdMomentum({ momentum: 0.9, weightDecay: 0 });
    opt2.restore(state, [w]);
    expect(Array.from(await opt2.state().w.data())).toEqual(Array.from(await state.w.data()));
    expect(() => opt2.restore({ nope: g }, [w])).toThrow(/no variable named 'nope'/);
    tf.dispose([g, w, state.w]);
    opt.dispose();
    opt2.dispose();
  });
});

/** fixtures/golden/adamw/adamw.json, written by make_adamw.py (torch.optim.AdamW, float32). */
interface AdamWGolden {
  betas: [number, number];
  eps: number;
  clip_max_norm: number;
  groups: { weight_decay: number; params: string[] }[];
  initial: Record<string, { shape: number[]; values: number[] }>;
  steps: { lr: number; grads: Record<string, number[]>; grad_norm: number; params_after: Record<string, number[]> }[];
}
const golden: AdamWGolden = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/golden/adamw/adamw.json'), 'utf8'));

/** 1e-6 relative, 1e-7 absolute near zero. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = Math.max(1e-7, 1e-6 * Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
  }
}

function goldenOptions(): AdamWOptions {
  const decayed = new Set(golden.groups.filter((g) => g.weight_decay > 0).flatMap((g) => g.params));
  const rates = new Set(golden.groups.map((g) => g.weight_decay).filter((wd) => wd > 0));
  expect(rates.size).toBe(1);
  return {
    beta1: golden.betas[0],
    beta2: golden.betas[1],
    eps: golden.eps,
    weightDecay: [...rates][0],
    clipGradNorm: golden.clip_max_norm,
    decays: (name) => decayed.has(name),
  };
}

function goldenVariables(values: Record<string, ArrayLike<number>>): tf.Variable[] {
  return Object.entries(golden.initial).map(([name, { shape }]) => tf.variable(tf.tensor(Array.from(values[name]), shape), true, name));
}

/** Applies golden step `i` and checks the gradient norm and every parameter against torch. */
async function goldenStep(opt: AdamW, vars: tf.Variable[], i: number): Promise<Record<string, Float32Array>> {
  const step = golden.steps[i];
  const grads: tf.NamedTensorMap = {};
  for (const v of vars) grads[v.name] = tf.tensor(step.grads[v.name], v.shape);
  const { gradNorm } = await opt.apply(vars, grads, step.lr);
  tf.dispose(Object.values(grads));
  expectClose([gradNorm], [step.grad_norm], `step ${i + 1} gradNorm`);
  const after: Record<string, Float32Array> = {};
  for (const v of vars) {
    after[v.name] = (await v.data()) as Float32Array;
    expectClose(after[v.name], step.params_after[v.name], `step ${i + 1} ${v.name}`);
  }
  return after;
}

describe('AdamW', () => {
  it('golden file covers decay and no-decay groups, a changing lr and one clipped step', () => {
    expect(golden.steps.length).toBeGreaterThanOrEqual(6);
    expect(new Set(golden.steps.map((s) => s.lr)).size).toBeGreaterThan(2);
    expect(golden.steps.filter((s) => s.grad_norm > golden.clip_max_norm)).toHaveLength(1);
    expect(golden.groups.map((g) => g.weight_decay).sort()).toEqual([0, 0.01]);
  });

  it('matches torch.optim.AdamW step by step, and resumes exactly from state() in the middle', async () => {
    const resumeAfter = 3;
    const initial = Object.fromEntries(Object.entries(golden.initial).map(([n, p]) => [n, p.values]));
    let vars = goldenVariables(initial);
    let opt = new AdamW(goldenOptions());
    const straight: Record<string, Float32Array>[] = [];
    let saved: { state: tf.NamedTensorMap; params: Record<string, Float32Array> } | undefined;
    for (let i = 0; i < golden.steps.length; i++) {
      straight.push(await goldenStep(opt, vars, i));
      if (i + 1 === resumeAfter) saved = { state: opt.state(), params: straight[i] };
    }
    expect(opt.steps).toBe(golden.steps.length);
    opt.dispose();
    tf.dispose(vars);

    // a fresh optimizer and fresh variables (same names) from the step-3 checkpoint
    vars = goldenVariables(saved!.params);
    opt = new AdamW(goldenOptions());
    opt.restore(saved!.state, vars);
    tf.dispose(Object.values(saved!.state));
    expect(opt.steps).toBe(resumeAfter);
    for (let i = resumeAfter; i < golden.steps.length; i++) {
      const after = await goldenStep(opt, vars, i);
      for (const v of vars) expect(Array.from(after[v.name])).toEqual(Array.from(straight[i][v.name]));
    }
    opt.dispose();
    tf.dispose(vars);
  });

  it('decays w by (1 − lr · wd) only where the mask says so, independently of the moments', async () => {
    const k = tf.variable(tf.tensor1d([2, -4]), true, 'k');
    const b = tf.variable(tf.tensor1d([2]), true, 'b');
    const opt = new AdamW({ weightDecay: 0.5, decays: (n) => n === 'k' });
    const grads = { k: tf.zeros([2]), b: tf.zeros([1]) };
    await opt.apply([k, b], grads, 0.1);
    expect(Array.from(await k.data())).toEqual([Math.fround(2 * 0.95), Math.fround(-4 * 0.95)]);
    expect(Array.from(await b.data())).toEqual([2]);
    tf.dispose([k, b, ...Object.values(grads)]);
    opt.dispose();
  });

  it('state() names the step and both moments per variable; restore() rejects foreign states', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, 'head/w');
    const opt = new AdamW({ weightDecay: 0 });
    const g = tf.tensor1d([0.5, -0.5]);
    await opt.apply([w], { 'head/w': g }, 0.01);
    const state = opt.state();
    expect(Object.keys(state).sort()).toEqual(['adamw/m/head/w', 'adamw/step', 'adamw/v/head/w']);
    expect(state['adamw/step'].dtype).toBe('int32');
    expect(Array.from(await state['adamw/step'].data())).toEqual([1]);

    const other = new AdamW({ weightDecay: 0 });
    const sgd = new SgdMomentum({ momentum: 0.9, weightDecay: 0 });
    await sgd.apply([w], { 'head/w': g }, 0.01);
    const sgdState = sgd.state();
    const wrongShape = tf.zeros([3]);
    const step = state['adamw/step'];
    expect(() => other.restore(sgdState, [w])).toThrow(/no 'adamw\/step' entry/);
    expect(() => other.restore({ ...sgdState, 'adamw/step': step }, [w])).toThrow(/unknown entry 'head\/w'/);
    expect(() => other.restore({ ...state, 'adamw/m/nope': g, 'adamw/v/nope': g }, [w])).toThrow(/no variable named 'nope'/);
    expect(() => other.restore({ ...state, 'adamw/m/head/w': wrongShape }, [w])).toThrow(/'adamw\/m\/head\/w' has shape \[3\], the variable \[2\]/);
    expect(() => other.restore({ 'adamw/step': step, 'adamw/m/head/w': g }, [w])).toThrow(/'adamw\/m\/head\/w' has no 'adamw\/v\/head\/w'/);
    expect(() => other.restore({ 'adamw/step': g }, [w])).toThrow(OptimizerStateError);
    expect(other.steps).toBe(0);
    tf.dispose([w, g, wrongShape, ...Object.values(state), ...Object.values(sgdState)]);
    opt.dispose();
    other.dispose();
    sgd.dispose();
  });

  it('leaks no tensors across steps, clipping, state() and restore()', async () => {
    const a = tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, 'a');
    const b = tf.variable(tf.tensor1d([0.5]), true, 'b');
    const grads = { a: tf.tensor2d([[3, -1], [2, 5]]), b: tf.tensor1d([4]) };
    const opt = new AdamW({ weightDecay: 0.01, clipGradNorm: 1, decays: (n) => n === 'a' });
    await opt.apply([a, b], grads, 1e-3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await opt.apply([a, b], grads, 1e-3);
    const state = opt.state();
    opt.restore(state, [a, b]);
    tf.dispose(Object.values(state));
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([a, b, ...Object.values(grads)]);
  });

  it('validates its options, naming the argument', () => {
    expect(() => new AdamW({ weightDecay: 0, beta1: 1 })).toThrow(/AdamW: beta1 must be in \[0, 1\) \(got 1\)/);
    expect(() => new AdamW({ weightDecay: 0, beta2: -0.1 })).toThrow(/AdamW: beta2 must be in \[0, 1\)/);
    expect(() => new AdamW({ weightDecay: 0, eps: 0 })).toThrow(/AdamW: eps must be > 0/);
    expect(() => new AdamW({ weightDecay: NaN })).toThrow(/AdamW: weightDecay must be >= 0 \(got NaN\)/);
  });
});

describe('createOptimizer', () => {
  it('builds the optimizer of the kind asked for', () => {
    const opts = { momentum: 0.9, weightDecay: 1e-4 };
    const sgd = createOptimizer('sgd', opts);
    const adamw = createOptimizer('adamw', opts);
    expect(sgd).toBeInstanceOf(SgdMomentum);
    expect(adamw).toBeInstanceOf(AdamW);
    expect(() => createOptimizer('adam' as 'sgd', opts)).toThrow(/kind must be 'sgd' or 'adamw' \(got 'adam'\)/);
    sgd.dispose();
    adamw.dispose();
  });
});
