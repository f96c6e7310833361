/**
 * The detector object: resolved config, deterministic init, variable names and weight-decay mask,
 * loss parts, typed errors, and save → load (through @retina/engine, and through tfjs' own
 * weights loader as a browser would).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  RetinaNetConfigError,
  RetinaNetInputError,
  RetinaNetModelError,
  assignWeights,
  createRetinaNet,
  loadRetinaNet,
  readRetinaNetConfig,
  restoreRetinaNet,
  resolveRetinaNetConfig,
  saveRetinaNet,
  type RetinaNetConfigInput,
} from './node';
import { saveTensors } from '@retina/engine/node';

const tiny: RetinaNetConfigInput = {
  numClasses: 2,
  categories: [{ id: 3, name: 'cat' }, { id: 17, name: 'dog' }],
  seed: 5,
  backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] },
  fpn: { channels: 8 },
  head: { channels: 8, convs: 1 },
};

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'retinanet-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const values = (net: ReturnType<typeof createRetinaNet>) => net.store.all().map((p) => Array.from(p.variable.dataSync()));

describe('createRetinaNet', () => {
  it('resolves every default into one JSON-serialisable config', () => {
    const c = resolveRetinaNetConfig({ numClasses: 4, backbone: { depth: 'narrow' } });
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(c.fpn).toEqual({ channels: 256, minLevel: 3, maxLevel: 7, extraFrom: 'c5' });
    expect(c.head).toMatchObject({ convs: 4, channels: 256, groupNorm: 0, prior: 0.01 });
    expect(c.matcher).toEqual({ high: 0.5, low: 0.4, allowLowQuality: true });
    expect(c.loss).toMatchObject({ kind: 'focal', alpha: 0.25, gamma: 2, box: 'smooth-l1', boxWeight: 1 });
    expect(c.postprocess).toEqual({ scoreThresh: 0.05, topK: 1000, nmsIou: 0.5, maxDetections: 100 });
    expect(c.normalization).toEqual({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
    expect(c.backbone).toMatchObject({ width: 32, blocks: [2, 2, 2, 2], norm: 'bn', freezeAt: 0 });
  });

  it('gives identical weights for the same seed and different ones for another seed', () => {
    const a = createRetinaNet(tiny);
    const b = createRetinaNet(tiny);
    const c = createRetinaNet({ ...tiny, seed: 6 });
    expect(values(b)).toEqual(values(a));
    expect(values(c)).not.toEqual(values(a));
    // a second live model gets suffixed engine names, the same canonical names
    expect(b.variables[0].name).toBe('backbone/stem/conv/kernel:1');
    expect(b.store.all().map((p) => p.name)).toEqual(a.store.all().map((p) => p.name));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('initialises the class bias to −log((1 − π)/π) and head weights with std 0.01', () => {
    const net = createRetinaNet({ ...tiny, head: { channels: 64, convs: 1 }, fpn: { channels: 64 } });
    const bias = net.store.get('head/cls/out/bias')!.variable.dataSync();
    bias.forEach((v) => expect(v).toBeCloseTo(-Math.log(99), 5));
    const w = net.store.get('head/cls/conv0/kernel')!.variable;
    const { mean, variance } = tf.moments(w);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.001);
    expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo(0.01, 3);
    tf.dispose([mean, variance]);
    net.dispose();
  });

  it('names variables by module, backbone ones under backbone/, and decays only conv kernels', () => {
    const net = createRetinaNet({ ...tiny, head: { channels: 8, convs: 1, groupNorm: 4 } });
    const names = net.variables.map((v) => v.name);
    expect(names).toContain('backbone/stem/conv/kernel');
    expect(names).toContain('fpn/lateral3/kernel');
    expect(names).toContain('head/cls/gn0/gamma');
    expect(names.filter((n) => n.startsWith('backbone/')).length).toBeGreaterThan(10);
    expect(net.weightDecayMask('backbone/stem/conv/kernel')).toBe(true);
    expect(net.weightDecayMask('backbone/stem/bn/gamma')).toBe(false);
    expect(net.weightDecayMask('fpn/lateral3/bias')).toBe(false);
    expect(net.weightDecayMask('head/cls/gn0/beta')).toBe(false);
    // BN running statistics are state, not trainable
    expect(names.some((n) => n.endsWith('/mean') || n.endsWith('/variance'))).toBe(false);
    expect(net.stateVariables.some((v) => v.name === 'backbone/stem/bn/mean')).toBe(true);
    net.dispose();
  });

  it('rejects bad configs and inputs with typed errors naming the field', () => {
    expect(() => createRetinaNet({ ...tiny, numClasses: 0 })).toThrow(RetinaNetConfigError);
    expect(() => createRetinaNet({ ...tiny, categories: [{ id: 1, name: 'x' }] })).toThrow(/categories: needs one entry per class \(numClasses 2, got 1\)/);
    expect(() => createRetinaNet({ ...tiny, loss: { kind: 'hinge' as never } })).toThrow(/loss\.kind/);
    expect(() => createRetinaNet({ ...tiny, anchors: { levels: [3, 4] } })).toThrow(/anchors\.levels: must equal the FPN levels \[3,4,5,6,7\]/);
    const net = createRetinaNet(tiny);
    const x = tf.zeros([1, 100, 128, 3]) as tf.Tensor4D;
    expect(() => net.computeLosses(x, [{ boxes: new Float32Array(0), labels: new Int32Array(0) }])).toThrow(
      new RetinaNetInputError('computeLosses', 'image height and width must be multiples of 128 (got 100×128; pad bottom/right)'),
    );
    x.dispose();
    net.dispose();
  });
});

describe('computeLosses', () => {
  it('returns total = cls + boxWeight · box and the positive count, leaking nothing', () => {
    const net = createRetinaNet({ ...tiny, loss: { boxWeight: 2 } });
    const x = tf.randomUniform([1, 128, 128, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const l = net.computeLosses(x, [{ boxes: Float32Array.from([10, 10, 60, 70]), labels: Int32Array.from([1]) }]);
    const [total, cls, box] = [l.total, l.cls, l.box].map((t) => t.dataSync()[0]);
    expect(total).toBeCloseTo(cls + 2 * box, 5);
    expect(l.numPositive).toBeGreaterThan(0);
    // at init every class probability is ≈ π = 0.01: positives dominate the focal loss,
    // −α (1 − π)^γ log π per positive, divided by the number of positives
    expect(cls).toBeCloseTo(0.25 * 0.99 ** 2 * -Math.log(0.01), 1);
    tf.dispose([l.total, l.cls, l.box]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    net.dispose();
  });
});

describe('saveRetinaNet / loadRetinaNet', () => {
  it('round-trips weights, config, categories and normalization', async () => {
    const net = createRetinaNet({ ...tiny, normalization: { mean: [1, 2, 3], std: [4, 5, 6] } });
    const x = tf.randomUniform([1, 128, 128, 3], 0, 255, 'float32', 2) as tf.Tensor4D;
    const metas = [{ scale: 1, originalHeight: 128, originalWidth: 128 }];
    await saveRetinaNet(net, join(dir, 'm1'));
    const loaded = await loadRetinaNet(join(dir, 'm1'));
    expect(loaded.config).toEqual(net.config);
    expect(values(loaded)).toEqual(values(net));
    const [a, b] = [net.forward(x), loaded.forward(x)];
    expect(Array.from(b.logits.dataSync())).toEqual(Array.from(a.logits.dataSync()));
    expect(await loaded.predict(x, metas)).toEqual(await net.predict(x, metas));
    tf.dispose([x, a.logits, a.deltas, b.logits, b.deltas]);
    [net, loaded].forEach((n) => n.dispose());
  });

  it('saves the test size; loads a model saved without one with the default; loadRetinaNet can replace it', async () => {
    const net = createRetinaNet({ ...tiny, testSize: { shortSide: 256, maxSize: 384 } });
    await saveRetinaNet(net, join(dir, 'sized'));
    expect((await loadRetinaNet(join(dir, 'sized'))).config.testSize).toEqual({ shortSide: 256, maxSize: 384 });
    const replaced = await loadRetinaNet(join(dir, 'sized'), { testSize: { shortSide: 192 } });
    expect(replaced.config.testSize).toEqual({ shortSide: 192, maxSize: 512 });
    // a model saved before the test size was: its metadata has no testSize
    const modelJson = join(dir, 'sized', 'model.json');
    const json = JSON.parse(readFileSync(modelJson, 'utf8'));
    delete json.userDefinedMetadata.config.testSize;
    writeFileSync(modelJson, JSON.stringify(json));
    const old = await loadRetinaNet(join(dir, 'sized'));
    expect(old.config.testSize).toEqual({ shortSide: 320, maxSize: 512 });
    expect(readRetinaNetConfig(join(dir, 'sized')).testSize).toEqual({ shortSide: 320, maxSize: 512 });
    [net, replaced, old].forEach((n) => n.dispose());
  });

  it.each([
    [{ shortSide: 0 }, /testSize\.shortSide: must be a number > 0 \(got 0\)/],
    [{ maxSize: Number.NaN }, /testSize\.maxSize: must be a number > 0 \(got NaN\)/],
  ])('refuses test size %j', (testSize, message) => {
    expect(() => createRetinaNet({ ...tiny, testSize })).toThrow(message);
  });

  it('is readable with tfjs’ own weights loader (what a browser uses) plus the saved config', async () => {
    const net = createRetinaNet(tiny);
    const path = join(dir, 'm2');
    await saveRetinaNet(net, path);
    const json = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
    const load = tf.io.weightsLoaderFactory(async (paths) => paths.map((p) => new Uint8Array(readFileSync(join(path, p))).buffer));
    const tensors = await load(json.weightsManifest, '');
    const again = createRetinaNet(json.userDefinedMetadata.config);
    assignWeights(again, tensors, path);
    expect(values(again)).toEqual(values(net));
    // restoreRetinaNet (browser-safe) does both steps from the saved form, leaving the tensors to the caller
    const restored = restoreRetinaNet(tensors, json.userDefinedMetadata, path);
    expect(restored.config).toEqual(net.config);
    expect(values(restored)).toEqual(values(net));
    expect(Object.values(tensors).every((t) => !t.isDisposed)).toBe(true);
    expect(() => restoreRetinaNet(tensors, { format: 'x' }, 'somewhere')).toThrow(/^somewhere: not a saved RetinaNet/);
    tf.dispose(Object.values(tensors));
    [net, again, restored].forEach((n) => n.dispose());
  });

  it('refuses a directory of other tensors, naming the file', async () => {
    await saveTensors(join(dir, 'other'), { w: tf.zeros([2]) }, { something: 1 });
    await expect(loadRetinaNet(join(dir, 'other'))).rejects.toThrow(RetinaNetModelError);
    await expect(loadRetinaNet(join(dir, 'other'))).rejects.toThrow(/other\/model\.json: not a saved RetinaNet/);
  });
});
