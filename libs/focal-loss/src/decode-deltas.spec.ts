import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { BBOX_XFORM_CLIP } from '@retina/anchors';
import { decodeDeltas, giouLoss } from './index';

const coder = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/golden/anchors/box_coder.json'), 'utf8'));
const n = coder.anchors.length / 4;

/** Independent float64 GIoU loss (1 − GIoU) of two xyxy boxes, from the definition. */
function giouLoss64(p: number[], t: number[]): number {
  const area = (b: number[]) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  const inter = area([Math.max(p[0], t[0]), Math.max(p[1], t[1]), Math.min(p[2], t[2]), Math.min(p[3], t[3])]);
  const union = area(p) + area(t) - inter;
  const hull = area([Math.min(p[0], t[0]), Math.min(p[1], t[1]), Math.max(p[2], t[2]), Math.max(p[3], t[3])]);
  return 1 - (inter / union - (hull - union) / hull);
}

describe.each(['cpu', 'wasm'])('decodeDeltas and giouLoss on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it('clamps dw/dh at the reference bbox_xform_clip: a huge dw gives at most 1000/16 = 62.5 × the anchor width', () => {
    // Anchor [0, 0, 10, 20]: w 10, h 20, centre (5, 10). dw = 100 clamps to log(62.5): width 625, so
    // x = 5 ∓ 312.5; dh = log(2) is below the clamp: height 40, y = 10 ∓ 20.
    expect(BBOX_XFORM_CLIP).toBeCloseTo(coder.bbox_xform_clip, 12);
    const got = tf.tidy(() => decodeDeltas(tf.tensor2d([[0, 0, 100, Math.log(2)]]), tf.tensor2d([[0, 0, 10, 20]])).dataSync());
    [-307.5, -10, 317.5, 30].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 3));
  });

  it('decodeDeltas equals torchvision BoxCoder.decode (golden box_coder.json, dw/dh clamp included)', () => {
    const got = tf.tidy(() => decodeDeltas(tf.tensor2d(coder.deltas, [n, 4]), tf.tensor2d(coder.anchors, [n, 4])).dataSync());
    coder.decoded.forEach((e: number, i: number) => expect(Math.abs(got[i] - e)).toBeLessThanOrEqual(Math.max(1e-3, 1e-5 * Math.abs(e))));
  });

  it('decodes the encoded ground truth back to it, broadcasting anchors [A, 4] over deltas [B, A, 4]', () => {
    const got = tf.tidy(() => decodeDeltas(tf.tensor3d([...coder.encoded, ...coder.encoded], [2, n, 4]), tf.tensor2d(coder.anchors, [n, 4])));
    expect(got.shape).toEqual([2, n, 4]);
    const v = got.dataSync();
    [...coder.gt, ...coder.gt].forEach((e: number, i: number) => expect(Math.abs(v[i] - e)).toBeLessThanOrEqual(Math.max(2e-3, 1e-5 * Math.abs(e))));
    got.dispose();
  });

  it('weights divide the deltas: decode(d·w, w) = decode(d)', () => {
    const w = [10, 10, 5, 5] as const;
    const [a, b] = tf.tidy(() => {
      const anchors = tf.tensor2d(coder.anchors.slice(0, 40), [10, 4]);
      const d = tf.tensor2d(coder.deltas.slice(0, 40), [10, 4]);
      return [decodeDeltas(d, anchors).dataSync(), decodeDeltas(tf.mul(d, tf.tensor1d(w as unknown as number[])), anchors, w).dataSync()];
    });
    a.forEach((e, i) => expect(b[i]).toBeCloseTo(e, 3));
  });

  it('giouLoss of the golden decoded boxes vs the ground truth equals a float64 computation, per box', () => {
    const got = tf.tidy(() => giouLoss(tf.tensor2d(coder.decoded, [n, 4]), tf.tensor2d(coder.gt, [n, 4])));
    expect(got.shape).toEqual([n]);
    const v = got.dataSync();
    for (let i = 0; i < n; i++) {
      const e = giouLoss64(coder.decoded.slice(4 * i, 4 * i + 4), coder.gt.slice(4 * i, 4 * i + 4));
      expect(Math.abs(v[i] - e)).toBeLessThanOrEqual(1e-5 + 1e-4 * e);
    }
    got.dispose();
  });

  it('rejects deltas or anchors without a last axis of 4, and bad weights', () => {
    const x = tf.zeros([2, 3]);
    const ok = tf.zeros([2, 4]);
    expect(() => decodeDeltas(x, ok)).toThrow(/Error in decodeDeltas: deltas must be \[\.\.\., 4\] \(got \[2, 3\]\)/);
    expect(() => decodeDeltas(ok, x)).toThrow(/anchors must be \[\.\.\., 4\] \(got \[2, 3\]\)/);
    expect(() => decodeDeltas(ok, ok, [1, 1, 0, 1])).toThrow(/weights must be 4 finite numbers > 0 \(got \[1, 1, 0, 1\]\)/);
    tf.dispose([x, ok]);
  });
});
