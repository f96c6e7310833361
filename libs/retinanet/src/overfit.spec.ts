/**
 * End to end on the cpu engine: a tiny detector overfits 2 synthetic images (loss near zero, GT boxes
 * recovered with IoU > 0.9 after post-processing), and neither training nor prediction leaks tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { boxIou } from '@retina/anchors';
import { selectEngine } from '@retina/engine/node';
import { createRetinaNet, type RetinaNet } from './index';

const S = 128;
const GT = [
  { boxes: [[20, 30, 70, 90]], labels: [0] },
  { boxes: [[60, 10, 120, 50], [10, 70, 50, 120]], labels: [1, 0] },
];
const COLORS = [[250, 40, 40], [40, 40, 250]];

function syntheticImages(): tf.Tensor4D {
  const d = new Float32Array(GT.length * S * S * 3).fill(60);
  GT.forEach((g, n) =>
    g.boxes.forEach(([x1, y1, x2, y2], k) => {
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) d.set(COLORS[g.labels[k]], ((n * S + y) * S + x) * 3);
    }),
  );
  return tf.tensor4d(d, [GT.length, S, S, 3]);
}

/** Adam with a linear warm-up (tfjs' optimizers take a fixed learning rate). */
function adam(vars: tf.Variable[], lrMax: number, warmup: number) {
  const m = vars.map((v) => tf.variable(tf.zerosLike(v), false));
  const s = vars.map((v) => tf.variable(tf.zerosLike(v), false));
  let t = 0;
  return {
    step(grads: tf.NamedTensorMap): void {
      t++;
      const lr = lrMax * Math.min(1, t / warmup);
      tf.tidy(() =>
        vars.forEach((v, k) => {
          const g = grads[v.name];
          m[k].assign(tf.add(tf.mul(m[k], 0.9), tf.mul(g, 0.1)));
          s[k].assign(tf.add(tf.mul(s[k], 0.999), tf.mul(tf.square(g), 0.001)));
          const update = tf.div(tf.div(m[k], 1 - 0.9 ** t), tf.add(tf.sqrt(tf.div(s[k], 1 - 0.999 ** t)), 1e-8));
          v.assign(tf.sub(v, tf.mul(update, lr)));
        }),
      );
    },
    dispose: () => tf.dispose([...m, ...s]),
  };
}

const targets = GT.map((g) => ({ boxes: Float32Array.from(g.boxes.flat()), labels: Int32Array.from(g.labels) }));
const metas = GT.map(() => ({ scale: 1, originalHeight: S, originalWidth: S }));

describe('overfitting two images (cpu)', () => {
  let net: RetinaNet;
  let images: tf.Tensor4D;
  const history: number[] = [];

  beforeAll(async () => {
    // the cpu engine with its training kernels (tfjs-backend-cpu's filter and max-pool gradients are ~100× slower)
    expect((await selectEngine({ backend: 'cpu' })).kernelsAdded).toEqual(['Conv2DBackpropFilter', 'MaxPoolGrad', 'ResizeNearestNeighborGrad']);
    net = createRetinaNet({
      numClasses: 2,
      seed: 3,
      backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] },
      fpn: { channels: 16 },
      head: { channels: 16, convs: 2 },
    });
    images = syntheticImages();
  });

  afterAll(() => {
    net.dispose();
    images.dispose();
  });

  it('drives the loss near zero without leaking tensors', () => {
    const opt = adam(net.variables, 0.002, 10);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 100; step++) {
      const { value, grads } = tf.variableGrads(() => net.computeLosses(images, targets, { training: true }).total, net.variables);
      opt.step(grads);
      history.push(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    }
    opt.dispose();
    // at init: ≈ 1.13 focal (class probabilities ≈ π) + the box loss
    expect(history[0]).toBeGreaterThan(1.3);
    expect(history[history.length - 1]).toBeLessThan(0.05);
  });

  it('recovers every GT box with IoU > 0.9 and the right class', async () => {
    const dets = await net.predict(images, metas);
    GT.forEach((g, n) => {
      g.boxes.forEach((box, k) => {
        const best = dets[n].filter((d) => d.label === g.labels[k]).sort((a, b) => b.score - a.score)[0];
        expect(best).toBeDefined();
        const iou = boxIou(Float32Array.from(box), Float32Array.from(best.box))[0];
        expect(iou).toBeGreaterThan(0.9);
        expect(best.score).toBeGreaterThan(0.5);
      });
    });
  });

  it('does not leak tensors across 100 predictions', async () => {
    const one = tf.slice(images, [0, 0, 0, 0], [1, S, S, 3]);
    await net.predict(one, [metas[0]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await net.predict(one, [metas[0]]);
    expect(tf.memory().numTensors).toBe(before);
    one.dispose();
  });
});
