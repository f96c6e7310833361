/**
 * Head outputs ↔ anchors: for a 256×384 input the head emits exactly one row per anchor, level by
 * level, and row i belongs to anchor i of generateAnchors (DESIGN.md order: level, y, x, anchor).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { anchorsPerLevel, baseAnchors, generateAnchors, resolveAnchorConfig } from '@retina/anchors';
import { ParamStore } from '@retina/fpn';
import { RetinaNetHead, createRetinaNet, resolveRetinaNetConfig } from './index';

beforeAll(() => tf.setBackend('cpu'));

const H = 256;
const W = 384;

describe('head output layout', () => {
  it('has one output row per anchor, level by level, for a 256×384 input', () => {
    const net = createRetinaNet({ numClasses: 3, backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] }, fpn: { channels: 8 }, head: { channels: 8, convs: 1 } });
    const x = tf.zeros([2, H, W, 3]) as tf.Tensor4D;
    const perLevel = tf.tidy(() => {
      const feats = net.fpn.apply(x);
      return net.fpn.levelNames.map((n) => feats[n].shape[1] * feats[n].shape[2] * 9);
    });
    const { logits, deltas } = net.forward(x);
    const counts = anchorsPerLevel(H, W);
    // hand count: stride 8..128 → 32×48, 16×24, 8×12, 4×6, 2×3 locations × 9 anchors
    expect(counts).toEqual([32 * 48 * 9, 16 * 24 * 9, 8 * 12 * 9, 4 * 6 * 9, 2 * 3 * 9]);
    expect(perLevel).toEqual(counts);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(generateAnchors(H, W).length / 4).toBe(total);
    expect(logits.shape).toEqual([2, total, 3]);
    expect(deltas.shape).toEqual([2, total, 4]);
    tf.dispose([x, logits, deltas]);
    net.dispose();
  });

  it('puts the output for (level, y, x, anchor a) at the index of that anchor box', () => {
    const config = resolveRetinaNetConfig({ numClasses: 1, backbone: { depth: 'narrow' }, head: { convs: 0 } });
    const store = new ParamStore();
    const head = new RetinaNetHead(store, 3, 9, 1, config.head);
    // box subnet = centre tap passing channels (level, y, x) through to each anchor's (dx, dy, dw) and
    // writing the anchor's own index a into dh through the bias
    const kernel = new Float32Array(3 * 3 * 3 * 36);
    const bias = new Float32Array(36);
    for (let a = 0; a < 9; a++) {
      for (let k = 0; k < 3; k++) kernel[((1 * 3 + 1) * 3 + k) * 36 + a * 4 + k] = 1;
      bias[a * 4 + 3] = a;
    }
    store.get('head/box/out/kernel')!.variable.assign(tf.tensor4d(kernel, [3, 3, 3, 36]));
    store.get('head/box/out/bias')!.variable.assign(tf.tensor1d(bias));
    const levels = [3, 4, 5, 6, 7];
    const feats = Object.fromEntries(
      levels.map((l) => {
        const h = H / 2 ** l;
        const w = W / 2 ** l;
        const v = new Float32Array(h * w * 3);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v.set([l, y, x], (y * w + x) * 3);
        return [`p${l}`, tf.tensor4d(v, [1, h, w, 3])];
      }),
    );
    const out = head.apply(feats, levels.map((l) => `p${l}`));
    const rows = out.deltas.dataSync();
    const anchors = generateAnchors(H, W);
    const rc = resolveAnchorConfig({});
    for (let i = 0; i < anchors.length / 4; i++) {
      const [l, y, x, a] = rows.subarray(4 * i, 4 * i + 4);
      const stride = 2 ** l;
      const base = baseAnchors(rc.sizes[l - 3], rc.ratios).subarray(4 * a, 4 * a + 4);
      expect([anchors[4 * i], anchors[4 * i + 1], anchors[4 * i + 2], anchors[4 * i + 3]]).toEqual([
        x * stride + base[0],
        y * stride + base[1],
        x * stride + base[2],
        y * stride + base[3],
      ]);
    }
    tf.dispose([...Object.values(feats), out.logits, out.deltas]);
    store.dispose();
  });
});
