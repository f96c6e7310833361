import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SgdMomentum } from './optimizer';

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
