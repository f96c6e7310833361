/** The pyramid: level names and shapes, P2–P5 and P6/P7 conventions, and the top-down sum by hand. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildFpn, createBackbone, type BackboneFeatures } from './index';

beforeAll(() => tf.setBackend('cpu'));

describe('buildFpn', () => {
  it('gives P3–P7 with stride 2^l and the chosen width by default', () => {
    const fpn = buildFpn(createBackbone({ depth: 'narrow', width: 4 }), { channels: 8 });
    const x = tf.zeros([1, 128, 256, 3]) as tf.Tensor4D;
    const p = fpn.apply(x);
    expect(Object.keys(p)).toEqual(['p3', 'p4', 'p5', 'p6', 'p7']);
    [3, 4, 5, 6, 7].forEach((l) => expect(p[`p${l}`].shape).toEqual([1, 128 / 2 ** l, 256 / 2 ** l, 8]));
    expect(fpn.backbone.store.get('fpn/p6/kernel')!.variable.shape).toEqual([3, 3, 32, 8]); // from C5
    tf.dispose([x, ...Object.values(p)]);
    fpn.backbone.store.dispose();
  });

  it('supports P2–P5 (no extra levels) and P6 from P5', () => {
    const seg = buildFpn(createBackbone({ depth: 'narrow', width: 4 }), { channels: 8, minLevel: 2, maxLevel: 5 });
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const p = seg.apply(x);
    expect(Object.keys(p)).toEqual(['p2', 'p3', 'p4', 'p5']);
    expect(p.p2.shape).toEqual([1, 16, 16, 8]);
    expect(seg.backbone.store.get('fpn/p6/kernel')).toBeUndefined();
    tf.dispose(Object.values(p));
    seg.backbone.store.dispose();
    const fromP5 = buildFpn(createBackbone({ depth: 'narrow', width: 4 }), { channels: 8, extraFrom: 'p5' });
    expect(fromP5.backbone.store.get('fpn/p6/kernel')!.variable.shape).toEqual([3, 3, 8, 8]);
    fromP5.backbone.store.dispose();
    x.dispose();
    expect(() => buildFpn(createBackbone({ depth: 'narrow', width: 4 }), { minLevel: 1 })).toThrow(/fpn\.minLevel: must be an integer in 2\.\.5 \(got 1\)/);
  });

  it('adds nearest-upsampled coarser levels to the laterals (checked with identity convs)', () => {
    const backbone = createBackbone({ depth: 'narrow', width: 1, blocks: [1, 1, 1, 1] });
    const fpn = buildFpn(backbone, { channels: 1, maxLevel: 5 });
    // laterals and outputs become identities: P5 = C5, P4 = C4 + up(P5), P3 = C3 + up(P4)
    const identity = (name: string, k: number) => {
      const w = new Float32Array(k * k);
      w[(k * k - 1) / 2] = 1;
      backbone.store.get(name)!.variable.assign(tf.tensor4d(w, [k, k, 1, 1]));
    };
    [3, 4, 5].forEach((l) => {
      const cin = backbone.channels[`c${l}` as keyof BackboneFeatures];
      backbone.store.get(`fpn/lateral${l}/kernel`)!.variable.assign(tf.tensor4d(Array.from({ length: cin }, (_, i) => (i === 0 ? 1 : 0)), [1, 1, cin, 1]));
      identity(`fpn/output${l}/kernel`, 3);
    });
    const rand = (h: number, w: number, c: number, seed: number) => tf.randomUniform([1, h, w, c], -1, 1, 'float32', seed) as tf.Tensor4D;
    const f = { c2: rand(16, 16, 1, 1), c3: rand(8, 8, 2, 2), c4: rand(4, 4, 4, 3), c5: rand(2, 2, 8, 4) };
    const p = fpn.fromFeatures(f);
    const ch0 = (t: tf.Tensor4D) => t.arraySync()[0].map((row) => row.map((px) => px[0]));
    const [c3, c4, c5] = [ch0(f.c3), ch0(f.c4), ch0(f.c5)];
    const p5 = c5;
    const p4 = c4.map((row, y) => row.map((v, x) => v + p5[y >> 1][x >> 1]));
    const p3 = c3.map((row, y) => row.map((v, x) => v + p4[y >> 1][x >> 1]));
    const close = (got: number[][], want: number[][]) => got.forEach((row, y) => row.forEach((v, x) => expect(v).toBeCloseTo(want[y][x], 5)));
    close(ch0(p.p5), p5);
    close(ch0(p.p4), p4);
    close(ch0(p.p3), p3);
    tf.dispose([...Object.values(f), ...Object.values(p)]);
    backbone.store.dispose();
  });
});
