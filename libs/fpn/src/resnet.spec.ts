/**
 * Backbones: parameter counts equal torchvision's ResNets (fc excluded), feature strides and channels,
 * frozen / training batch norm against hand computations, stage freezing, seeded init.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConvNorm, FpnConfigError, GroupNorm, ParamStore, createBackbone, type BackboneConfig } from './index';

beforeAll(() => tf.setBackend('cpu'));

const trainableCount = (config: BackboneConfig) => {
  const b = createBackbone(config);
  // trainable parameters = torchvision's parameters (BN running statistics are buffers there too)
  const n = b.store.trainable().reduce((s, v) => s + v.size, 0);
  b.store.dispose();
  return n;
};

describe('createBackbone', () => {
  // torchvision resnet18 / resnet34 / resnet50 parameter counts minus the fc layer (512·1000 + 1000, 2048·1000 + 1000)
  it.each([
    [18, 11_689_512 - 513_000],
    [34, 21_797_672 - 513_000],
    [50, 25_557_032 - 2_049_000],
  ] as const)('ResNet-%s has torchvision’s parameter count', (depth, expected) => {
    expect(trainableCount({ depth })).toBe(expected);
  });

  it.each([
    [{ depth: 'narrow', width: 8 }, [8, 16, 32, 64]],
    [{ depth: 50, width: 4, blocks: [1, 1, 1, 1] }, [16, 32, 64, 128]],
    [{ depth: 18, width: 4, stem: 'deep' }, [4, 8, 16, 32]],
  ] as [BackboneConfig, number[]][])('%j gives C2..C5 with strides 4..32 and channels %j', (config, channels) => {
    const b = createBackbone(config);
    const x = tf.zeros([2, 64, 96, 3]) as tf.Tensor4D;
    const f = b.apply(x);
    expect([f.c2, f.c3, f.c4, f.c5].map((t) => t.shape)).toEqual([4, 8, 16, 32].map((s, i) => [2, 64 / s, 96 / s, channels[i]]));
    expect(Object.values(b.channels)).toEqual(channels);
    tf.dispose([x, ...Object.values(f)]);
    b.store.dispose();
  });

  it('freezes the stem and the first stages with freezeAt', () => {
    const b = createBackbone({ depth: 'narrow', width: 4, freezeAt: 2 });
    const trainable = new Set(b.store.trainable().map((v) => v.name));
    expect(trainable.has('backbone/stem/conv/kernel')).toBe(false);
    expect(trainable.has('backbone/stage1/block0/conv1/conv/kernel')).toBe(false);
    expect(trainable.has('backbone/stage2/block0/conv1/conv/kernel')).toBe(true);
    expect(b.store.state().map((v) => v.name)).toContain('backbone/stage1/block1/conv2/bn/gamma');
    b.store.dispose();
  });

  it('gives the same weights for the same seed', () => {
    const a = createBackbone({ depth: 'narrow', width: 4 }, new ParamStore(3));
    const b = createBackbone({ depth: 'narrow', width: 4 }, new ParamStore(3));
    a.store.all().forEach((p, i) => expect(Array.from(b.store.all()[i].variable.dataSync())).toEqual(Array.from(p.variable.dataSync())));
    const std = tf.tidy(() => Math.sqrt(tf.moments(a.store.get('backbone/stage4/block0/conv1/conv/kernel')!.variable).variance.dataSync()[0]));
    expect(std).toBeCloseTo(Math.sqrt(2 / (9 * 16)), 2); // He normal, fan-in 3·3·16
    a.store.dispose();
    b.store.dispose();
  });

  it('rejects unknown depths and bad widths naming the field', () => {
    expect(() => createBackbone({ depth: 101 as never })).toThrow(new FpnConfigError('backbone.depth', "must be 18, 34, 50 or 'narrow' (got 101)"));
    expect(() => createBackbone({ depth: 'narrow', width: 0 })).toThrow(/backbone\.width: must be an integer ≥ 1 \(got 0\)/);
    expect(() => createBackbone({ depth: 'narrow', freezeAt: 7 })).toThrow(/backbone\.freezeAt/);
  });
});

describe('batch norm', () => {
  /** 1×1 conv + BN on [1, 2, 2, 2] by hand. */
  function setup(frozen: boolean) {
    const store = new ParamStore();
    const cb = new ConvNorm(store, 'b', { kernel: 1, inChannels: 2, outChannels: 2, norm: frozen ? 'frozen-bn' : 'bn' });
    cb.conv.kernel.assign(tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2])); // out0 = x0 + 3 x1, out1 = 2 x0 + 4 x1
    cb.bn!.gamma.assign(tf.tensor1d([2, 0.5]));
    cb.bn!.beta.assign(tf.tensor1d([1, -1]));
    cb.bn!.mean.assign(tf.tensor1d([3, 4]));
    cb.bn!.variance.assign(tf.tensor1d([4, 16]));
    const x = tf.tensor4d([1, 0, 0, 1, 2, 1, -1, 2], [1, 2, 2, 2]);
    return { store, cb, x };
  }
  const convOut = [[1, 2], [3, 4], [5, 8], [5, 6]]; // per pixel (out0, out1)

  it('frozen: y = gamma (conv − mean) / sqrt(var + eps) + beta with the running statistics', () => {
    const { store, cb, x } = setup(true);
    const y = cb.apply(x, true, false).arraySync()[0].flat();
    const want = convOut.map(([a, b]) => [(2 * (a - 3)) / Math.sqrt(4 + 1e-5) + 1, (0.5 * (b - 4)) / Math.sqrt(16 + 1e-5) - 1]);
    y.forEach((v, i) => v.forEach((u, k) => expect(u).toBeCloseTo(want[i][k], 5)));
    store.dispose();
    x.dispose();
  });

  it('training: normalizes with batch statistics and moves the running ones by momentum 0.1', () => {
    const { store, cb, x } = setup(false);
    const y = cb.apply(x, true, false).arraySync()[0].flat();
    const col = (k: number) => convOut.map((p) => p[k]);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const variance = (v: number[]) => mean(v.map((u) => (u - mean(v)) ** 2));
    [0, 1].forEach((k) => {
      const c = col(k);
      const g = [2, 0.5][k];
      const b = [1, -1][k];
      c.forEach((v, i) => expect(y[i][k]).toBeCloseTo((g * (v - mean(c))) / Math.sqrt(variance(c) + 1e-5) + b, 4));
    });
    const rm = cb.bn!.mean.dataSync();
    const rv = cb.bn!.variance.dataSync();
    expect(rm[0]).toBeCloseTo(0.9 * 3 + 0.1 * mean(col(0)), 5);
    expect(rv[1]).toBeCloseTo(0.9 * 16 + 0.1 * variance(col(1)) * (4 / 3), 4); // unbiased, n = 4
    store.dispose();
    x.dispose();
  });
});

describe('GroupNorm', () => {
  it('normalizes each group of channels over H, W and the group', () => {
    const store = new ParamStore();
    const gn = new GroupNorm(store, 'gn', 4, 2);
    const x = tf.randomNormal([2, 3, 3, 4], 5, 3, 'float32', 1) as tf.Tensor4D;
    const y = gn.apply(x);
    const groups = tf.reshape(y, [2, 9, 2, 2]);
    const { mean, variance } = tf.moments(groups, [1, 3]);
    mean.dataSync().forEach((m) => expect(m).toBeCloseTo(0, 4));
    variance.dataSync().forEach((v) => expect(v).toBeCloseTo(1, 3));
    expect(() => new GroupNorm(store, 'bad', 6, 4)).toThrow(/bad\.groups: must divide the 6 channels \(got 4\)/);
    tf.dispose([x, y, groups, mean, variance]);
    store.dispose();
  });
});
