/**
 * Audit: one training step of a miniature detector built from every op our detector uses (ResNet stem,
 * max-pool, residual blocks with batch norm by moments and frozen affine BN, fused conv + bias + ReLU,
 * group norm, FPN with nearest ×2 upsampling, heads, sigmoid focal + softmax + box losses, gradient
 * clipping, SGD momentum with weight decay) runs on wasm with no missing kernel, and its gradients
 * equal the cpu engine's to 1e-4 relative (per variable, max |Δ| / max |cpu|).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerCpuTrainingKernels, registerWasmTrainingKernels } from '../training-kernels';
import { maxRelativeError, seededValues } from '../testing';

const REL_TOL = 1e-4;
const [S, C, CLASSES, ANCHORS] = [32, 8, 3, 2];

const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, C],
  b1a: [3, 3, C, C],
  b1b: [3, 3, C, C],
  down: [1, 1, C, 2 * C],
  b2a: [3, 3, C, 2 * C],
  b2b: [3, 3, 2 * C, 2 * C],
  gamma: [2 * C],
  beta: [2 * C],
  lat3: [1, 1, C, C],
  lat4: [1, 1, 2 * C, C],
  smooth: [3, 3, C, C],
  cls: [3, 3, C, ANCHORS * CLASSES],
  clsBias: [ANCHORS * CLASSES],
  box: [3, 3, C, ANCHORS * 4],
  boxBias: [ANCHORS * 4],
};

function makeVariables(): Record<string, tf.Variable> {
  return Object.fromEntries(
    Object.entries(SHAPES).map(([name, shape], i) => {
      const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : 1;
      const init = name === 'gamma' ? new Float32Array(shape[0]).fill(1) : seededValues(shape.reduce((a, b) => a * b), 50 + i, Math.sqrt(3 / fanIn));
      return [name, tf.tidy(() => tf.variable(tf.tensor(init, shape), true))];
    }),
  );
}

const conv = (x: tf.Tensor4D, w: tf.Variable, stride: number): tf.Tensor4D => tf.conv2d(x, w as tf.Tensor4D, stride, 'same');

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
}

function groupNorm(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const g = tf.reshape(x, [b, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  return tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), x.shape);
}

/** Backbone + FPN + heads → logits [B, A, CLASSES], deltas [B, A, 4]. */
function forward(v: Record<string, tf.Variable>, image: tf.Tensor4D): { logits: tf.Tensor3D; deltas: tf.Tensor3D } {
  const stem = tf.relu(conv(image, v.stem, 2));
  const c2 = tf.maxPool(stem, 3, 2, 'same');
  const frozenScale = tf.tensor1d(seededValues(C, 7, 0.5).map((u) => 1 + u));
  const b1 = tf.relu(tf.add(tf.add(tf.mul(conv(tf.relu(conv(c2, v.b1a, 1)), v.b1b, 1), frozenScale), 0.1), c2)) as tf.Tensor4D;
  const b2Main = batchNorm(conv(tf.relu(batchNorm(conv(b1, v.b2a, 2), tf.onesLike(v.gamma), tf.zerosLike(v.beta))), v.b2b, 1), v.gamma, v.beta);
  const c4 = tf.relu(tf.add(b2Main, conv(b1, v.down, 2))) as tf.Tensor4D;
  const p4 = conv(c4, v.lat4, 1);
  const p3 = tf.add(conv(b1, v.lat3, 1), tf.image.resizeNearestNeighbor(p4, [b1.shape[1], b1.shape[2]])) as tf.Tensor4D;
  const levels = [tf.fused.conv2d({ x: p3, filter: v.smooth as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }), p4];
  const head = (w: tf.Variable, bias: tf.Variable, k: number) =>
    tf.concat(
      levels.map((p) => tf.reshape(groupNorm(tf.fused.conv2d({ x: p, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias }), ANCHORS * k > 4 ? 2 : 1), [image.shape[0], -1, k])),
      1,
    ) as tf.Tensor3D;
  return { logits: head(v.cls, v.clsBias, CLASSES), deltas: tf.transpose(tf.transpose(head(v.box, v.boxBias, 4), [0, 2, 1]), [0, 2, 1]) };
}

/** Sigmoid focal loss (alpha 0.25, gamma 2) over non-ignored anchors + smooth-L1 / log-space box loss on positives. */
function loss(logits: tf.Tensor3D, deltas: tf.Tensor3D, labels: tf.Tensor2D, targets: tf.Tensor3D): tf.Scalar {
  const valid = tf.cast(tf.greater(labels, -2), 'float32');
  const positive = tf.logicalAnd(tf.greater(labels, -1), tf.equal(tf.cast(valid, 'bool'), true));
  const oneHot = tf.cast(tf.oneHot(tf.cast(tf.maximum(labels, 0), 'int32'), CLASSES), 'float32');
  const z = tf.mul(oneHot, tf.expandDims(tf.cast(positive, 'float32'), 2));
  const ce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  const p = tf.sigmoid(logits);
  const pt = tf.add(tf.mul(p, z), tf.mul(tf.sub(1, p), tf.sub(1, z)));
  const alpha = tf.where(tf.equal(z, 1), tf.fill(z.shape, 0.25), tf.fill(z.shape, 0.75));
  const focal = tf.sum(tf.mul(tf.mul(tf.mul(alpha, tf.square(tf.sub(1, pt))), ce), tf.expandDims(valid, 2)));
  const softplusTerm = tf.mean(tf.softplus(tf.neg(logits)));
  const softmaxTerm = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), z), 2)));
  const d = tf.abs(tf.sub(deltas, targets));
  // tfjs has no gradient for comparisons: the where() condition must not depend on the variables
  const smoothL1 = tf.where(tf.less(tf.abs(targets), 0.25), tf.mul(0.5 * 9, tf.square(d)), tf.sub(d, 0.5 / 9));
  const scale = tf.log(tf.exp(tf.minimum(tf.clipByValue(deltas, -4, 4), 4)));
  const boxPerAnchor = tf.add(tf.sum(smoothL1, 2), tf.mul(0.01, tf.sum(tf.square(scale), 2)));
  const box = tf.sum(tf.mul(boxPerAnchor, tf.cast(positive, 'float32')));
  const normalizer = tf.maximum(tf.sum(tf.cast(positive, 'float32')), 1);
  return tf.add(tf.div(tf.add(focal, box), normalizer), tf.add(tf.mul(0.1, softplusTerm), tf.mul(0.1, softmaxTerm))) as tf.Scalar;
}

interface Step {
  loss: number;
  grads: Record<string, Float32Array>;
  after: Record<string, Float32Array>;
}

interface State {
  v: Record<string, tf.Variable>;
  image: tf.Tensor4D;
  labels: tf.Tensor2D;
  targets: tf.Tensor3D;
  optimizer: tf.MomentumOptimizer;
}

/** Variables, a batch (labels: class, -1 background, -2 ignore) and an SGD-momentum optimizer on `backend`. */
function makeState(backend: string, batch: number): State {
  tf.setBackend(backend);
  const anchors = ANCHORS * ((S / 4) ** 2 + (S / 8) ** 2);
  const label = (u: number) => (u > 0.6 ? Math.floor((u - 0.6) * 7.4) : u > -0.6 ? -1 : -2);
  return {
    v: makeVariables(),
    image: tf.tensor4d(seededValues(batch * S * S * 3, 1), [batch, S, S, 3]),
    labels: tf.tensor2d(Array.from(seededValues(batch * anchors, 2), label), [batch, anchors]),
    targets: tf.tensor3d(seededValues(batch * anchors * 4, 3, 0.5), [batch, anchors, 4]),
    optimizer: tf.train.momentum(0.01, 0.9),
  };
}

/** Loss, gradients (clipped to global norm 10, plus weight decay 1e-4) and one optimizer update. */
function trainStep(state: State): Step {
  const { v, image, labels, targets, optimizer } = state;
  const names = Object.keys(v);
  const result = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits, deltas } = forward(v, image);
      return loss(logits, deltas, labels, targets);
    });
    const byName = Object.fromEntries(names.map((n) => [n, grads[v[n].name]]));
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(byName[n])))));
    const clip = tf.minimum(1, tf.div(10, tf.maximum(norm, 1e-6)));
    optimizer.applyGradients(names.map((n) => ({ name: v[n].name, tensor: tf.add(tf.mul(byName[n], clip), tf.mul(1e-4, v[n])) })));
    return { loss: value.dataSync()[0], grads: Object.fromEntries(names.map((n) => [n, byName[n].dataSync() as Float32Array])) };
  });
  return { ...result, after: Object.fromEntries(names.map((n) => [n, v[n].dataSync() as Float32Array])) };
}

function disposeState(state: State): void {
  tf.dispose([state.image, state.labels, state.targets, ...Object.values(state.v)]);
  state.optimizer.dispose();
}

/** One step from a fresh state. */
function oneStep(backend: string, batch: number): Step {
  const state = makeState(backend, batch);
  try {
    return trainStep(state);
  } finally {
    disposeState(state);
  }
}

describe('one detector training step on wasm', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    registerCpuTrainingKernels(); // the cpu engine as selectEngine starts it (its ResizeNearestNeighborGrad is right at batch > 1)
  });

  it('every kernel of the step (forward, backward, clipping, optimizer) is registered for wasm', async () => {
    tf.setBackend('cpu');
    const { kernelNames } = await tf.profile(() => void oneStep('cpu', 2));
    expect(kernelNames).toContain('Conv2DBackpropFilter');
    // names ending in __op are custom-gradient scopes (fused conv, logSoftmax), not kernels
    expect(kernelNames.filter((name) => !name.endsWith('__op') && !tf.getKernel(name, 'wasm'))).toEqual([]);
  });

  it('runs on wasm; its gradients and updated variables equal the cpu engine’s to 1e-4 relative', () => {
    // batch 2: every image's gradient goes through the FPN's upsampling (the stock cpu
    // ResizeNearestNeighborGrad got all but the first wrong; ours replaces it, see cpu-kernels/)
    const cpu = oneStep('cpu', 2);
    const wasm = oneStep('wasm', 2);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(REL_TOL * Math.abs(cpu.loss));
    const names = Object.keys(cpu.grads);
    expect(names.filter((n) => !(maxRelativeError(wasm.grads[n], cpu.grads[n]) < REL_TOL))).toEqual([]);
    expect(names.filter((n) => !(maxRelativeError(wasm.after[n], cpu.after[n]) < REL_TOL))).toEqual([]);
    expect(Object.keys(wasm.grads).sort()).toEqual(Object.keys(SHAPES).sort());
  });

  it('leaks no tensor and no wasm buffer across training steps', () => {
    const state = makeState('wasm', 2);
    trainStep(state);
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    trainStep(state);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(ids);
    disposeState(state);
  });
});
