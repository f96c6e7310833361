import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { EMA_STATE_PREFIX, EmaError, ModelEma, splitEmaState } from './ema';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// a failed test must not leave its variable names registered for the next one
afterEach(() => tf.disposeVariables());

/** Values the training variables take before each update (kernel [2, 2], BN running mean [2]). */
const KERNEL = [[1, -2, 0.5, 3], [1.5, -1, 0.25, 2], [0.8, -0.4, 1, 2.5], [2, 0, -0.3, 1], [1.1, -1.6, 0.7, 2.2]];
const MEAN = [[0, 1], [0.2, 0.8], [0.5, 0.5], [0.1, 1.4], [-0.3, 0.9]];

/** The ultralytics recurrence in float64: e₀ = w₀; for k = 1…: d = decay·(1 − e^(−k/tau)), e ← d·e + (1 − d)·w_k. */
function referenceEma(series: number[][], decay: number, tau: number): number[] {
  const e = [...series[0]];
  series.slice(1).forEach((w, i) => {
    const d = decay * (1 - Math.exp(-(i + 1) / tau));
    for (let j = 0; j < e.length; j++) e[j] = d * e[j] + (1 - d) * w[j];
  });
  return e;
}

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(Math.max(1e-7, 1e-6 * Math.abs(expected[i])));
}

function model(): { kernel: tf.Variable; mean: tf.Variable; steps: tf.Variable; all: tf.Variable[] } {
  const kernel = tf.variable(tf.tensor2d(KERNEL[0], [2, 2]), true, 'conv/kernel');
  const mean = tf.variable(tf.tensor1d(MEAN[0]), false, 'bn/mean');
  const steps = tf.variable(tf.scalar(0, 'int32'), false, 'bn/steps');
  return { kernel, mean, steps, all: [kernel, mean, steps] };
}

function setTo(v: tf.Variable, values: number[]): void {
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

describe('ModelEma', () => {
  it('uses ultralytics’ warm-up decay d(k) = decay · (1 − exp(−k / tau)), tau 2000 by default', () => {
    const m = model();
    const byDefault = new ModelEma(m.all);
    expect(byDefault.decayAt(1)).toBeCloseTo(0.9999 * (1 - Math.exp(-1 / 2000)), 15);
    expect(byDefault.decayAt(2000)).toBeCloseTo(0.9999 * (1 - Math.exp(-1)), 15);
    const short = new ModelEma(m.all, { decay: 0.99, tau: 50 });
    expect(short.decayAt(10)).toBeCloseTo(0.99 * (1 - Math.exp(-10 / 50)), 15);
    byDefault.dispose();
    short.dispose();
    tf.dispose(m.all);
  });

  it('averages weights and running statistics like the float64 recurrence, through the warm-up', async () => {
    const m = model();
    const ema = new ModelEma(m.all, { decay: 0.9, tau: 3 });
    for (let k = 1; k < KERNEL.length; k++) {
      setTo(m.kernel, KERNEL[k]);
      setTo(m.mean, MEAN[k]);
      ema.update(m.all);
    }
    expect(ema.updates).toBe(KERNEL.length - 1);
    const state = ema.state();
    expectClose(await state[`${EMA_STATE_PREFIX}var/conv/kernel`].data(), referenceEma(KERNEL, 0.9, 3));
    expectClose(await state[`${EMA_STATE_PREFIX}var/bn/mean`].data(), referenceEma(MEAN, 0.9, 3));
    // the integer variable is not averaged
    expect(Object.keys(state).sort()).toEqual(['ema/updates', 'ema/var/bn/mean', 'ema/var/conv/kernel']);
    tf.dispose(Object.values(state));
    ema.dispose();
    tf.dispose(m.all);
  });

  it('resumes exactly from state(): a restored average continues bit for bit', async () => {
    const m = model();
    const a = new ModelEma(m.all, { decay: 0.9, tau: 3 });
    for (let k = 1; k < 3; k++) {
      setTo(m.kernel, KERNEL[k]);
      a.update(m.all);
    }
    const saved = a.state();
    const b = new ModelEma(m.all, { decay: 0.9, tau: 3 });
    b.restore(saved);
    tf.dispose(Object.values(saved));
    expect(b.updates).toBe(2);
    for (let k = 3; k < KERNEL.length; k++) {
      setTo(m.kernel, KERNEL[k]);
      a.update(m.all);
      b.update(m.all);
    }
    const [sa, sb] = [a.state(), b.state()];
    for (const key of Object.keys(sa)) expect(Array.from(await sb[key].data())).toEqual(Array.from(await sa[key].data()));
    tf.dispose([...Object.values(sa), ...Object.values(sb)]);
    a.dispose();
    b.dispose();
    tf.dispose(m.all);
  });

  it('restore() rejects states that do not fit, changing nothing', () => {
    const m = model();
    const ema = new ModelEma(m.all);
    const good = ema.state();
    const wrong = tf.zeros([3]);
    const { 'ema/var/bn/mean': mean, ...withoutMean } = good;
    expect(() => ema.restore(withoutMean)).toThrow(/state lacks the average of 'bn\/mean'/);
    expect(() => ema.restore({ ...good, 'ema/var/other': wrong })).toThrow(/state entry 'ema\/var\/other' matches no averaged variable/);
    expect(() => ema.restore({ ...good, 'ema/var/bn/mean': wrong })).toThrow(/'ema\/var\/bn\/mean' has shape \[3\], the variable \[2\]/);
    const { 'ema/updates': updates, ...withoutUpdates } = good;
    expect(() => ema.restore(withoutUpdates)).toThrow(EmaError);
    expect(() => ema.restore({ ...good, 'ema/updates': mean })).toThrow(/'ema\/updates' must be a scalar integer/);
    expect(ema.updates).toBe(0);
    expect(updates.dtype).toBe('int32');
    tf.dispose([wrong, ...Object.values(good)]);
    ema.dispose();
    tf.dispose(m.all);
  });

  it('withEmaWeights swaps the averages in for fn and the training values back, also when fn throws', async () => {
    const m = model();
    const ema = new ModelEma(m.all, { decay: 0.5, tau: 1 });
    setTo(m.kernel, KERNEL[1]);
    setTo(m.mean, MEAN[1]);
    ema.update(m.all);
    setTo(m.kernel, KERNEL[2]);
    setTo(m.mean, MEAN[2]);
    const state = ema.state();
    const averaged = Array.from(await state['ema/var/conv/kernel'].data());
    const inside = await ema.withEmaWeights(m.all, async () => Array.from(await m.kernel.data()));
    expect(inside).toEqual(averaged);
    expect(Array.from(await m.kernel.data())).toEqual(KERNEL[2].map(Math.fround));
    await expect(
      ema.withEmaWeights(m.all, () => {
        throw new Error('validation failed');
      }),
    ).rejects.toThrow('validation failed');
    expect(Array.from(await m.kernel.data())).toEqual(KERNEL[2].map(Math.fround));
    expect(Array.from(await m.mean.data())).toEqual(MEAN[2].map(Math.fround));
    // the average itself is untouched by the swaps
    const after = ema.state();
    expect(Array.from(await after['ema/var/conv/kernel'].data())).toEqual(averaged);
    tf.dispose([...Object.values(state), ...Object.values(after)]);
    ema.dispose();
    tf.dispose(m.all);
  });

  it('copyTo gives the variables the averages for good', async () => {
    const m = model();
    const ema = new ModelEma(m.all);
    setTo(m.kernel, KERNEL[1]);
    ema.copyTo(m.all);
    expect(Array.from(await m.kernel.data())).toEqual(KERNEL[0].map(Math.fround));
    ema.dispose();
    // the variables keep their values after the average is gone
    expect(Array.from(await m.kernel.data())).toEqual(KERNEL[0].map(Math.fround));
    tf.dispose(m.all);
  });

  it('insists on the variables it was made for', async () => {
    const m = model();
    const ema = new ModelEma(m.all);
    const extra = tf.variable(tf.zeros([1]), true, 'extra');
    expect(() => ema.update([...m.all, extra])).toThrow(/update: variable 'extra' has no average/);
    expect(() => ema.update([m.kernel])).toThrow(/update: no variable given for 'bn\/mean'/);
    m.kernel.dispose();
    const reshaped = tf.variable(tf.zeros([4]), true, 'conv/kernel');
    await expect(ema.withEmaWeights([reshaped, m.mean], () => undefined)).rejects.toThrow(/withEmaWeights: 'conv\/kernel' has shape \[4\], its average \[2,2\]/);
    expect(ema.updates).toBe(0);
    expect(() => new ModelEma(m.all, { tau: 0 })).toThrow(/tau must be > 0/);
    expect(() => new ModelEma(m.all, { decay: 1 })).toThrow(/decay must be in \[0, 1\)/);
    tf.dispose([extra, reshaped, m.mean, m.steps]);
    ema.dispose();
  });

  it('leaks no tensors across update, withEmaWeights, copyTo, state and restore', async () => {
    const m = model();
    const ema = new ModelEma(m.all, { tau: 10 });
    const before = tf.memory().numTensors;
    for (let k = 1; k < KERNEL.length; k++) {
      setTo(m.kernel, KERNEL[k]);
      ema.update(m.all);
      await ema.withEmaWeights(m.all, () => undefined);
    }
    const state = ema.state();
    ema.restore(state);
    tf.dispose(Object.values(state));
    ema.copyTo(m.all);
    expect(tf.memory().numTensors).toBe(before);
    ema.dispose();
    tf.dispose(m.all);
  });
});

describe('splitEmaState', () => {
  it('separates the average from the optimizer entries of one checkpoint', () => {
    const [a, b, c] = [tf.scalar(1), tf.scalar(2), tf.scalar(3)];
    const { ema, rest } = splitEmaState({ 'ema/updates': a, 'adamw/step': b, 'ema/var/w': c });
    expect(Object.keys(ema).sort()).toEqual(['ema/updates', 'ema/var/w']);
    expect(Object.keys(rest)).toEqual(['adamw/step']);
    tf.dispose([a, b, c]);
  });
});
