/**
 * Post-processing against an independent brute-force pipeline on random inputs, and the mapping back
 * to original image pixels (scale, flip, clip, category ids) on hand-made cases.
 */
import { decodeBoxes, generateAnchors, anchorsPerLevel } from '@retina/anchors';
import { batchedNms, postprocessImage, resolveRetinaNetConfig } from './index';

/** Seeded uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function iou(a: number[], b: number[]): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const area = (r: number[]) => (r[2] - r[0]) * (r[3] - r[1]);
  return inter > 0 ? inter / (area(a) + area(b) - inter) : 0;
}

interface Cand { box: number[]; score: number; cls: number }

/** Brute force: repeatedly take the best remaining candidate, drop same-class ones overlapping it. */
function bruteNms(cands: Cand[], thr: number): Cand[] {
  let rest = [...cands];
  const kept: Cand[] = [];
  while (rest.length) {
    const best = rest.reduce((m, c) => (c.score > m.score ? c : m));
    kept.push(best);
    rest = rest.filter((c) => c !== best && !(c.cls === best.cls && iou(c.box, best.box) > thr));
  }
  return kept;
}

describe('batchedNms', () => {
  it('equals brute-force class-wise NMS on random boxes', () => {
    const r = rng(1);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(r() * 60);
      const cands: Cand[] = Array.from({ length: n }, () => {
        const x = r() * 80;
        const y = r() * 80;
        return { box: [x, y, x + 5 + r() * 40, y + 5 + r() * 40], score: r(), cls: Math.floor(r() * 3) };
      });
      const thr = 0.3 + r() * 0.4;
      const keep = batchedNms(Float32Array.from(cands.flatMap((c) => c.box)), Float32Array.from(cands.map((c) => c.score)), Int32Array.from(cands.map((c) => c.cls)), thr);
      // compare in float32 like the implementation's inputs
      const f32 = cands.map((c) => ({ ...c, box: Array.from(Float32Array.from(c.box)), score: Math.fround(c.score) }));
      expect(keep.map((i) => f32[i])).toEqual(bruteNms(f32, thr));
    }
  });
});

describe('postprocessImage', () => {
  const H = 128;
  const W = 256;
  const C = 3;
  const anchors = generateAnchors(H, W);
  const counts = anchorsPerLevel(H, W);
  const A = anchors.length / 4;

  function brute(logits: Float32Array, deltas: Float32Array, p: { scoreThresh: number; topK: number; nmsIou: number; maxDetections: number }, scale: number, oh: number, ow: number): Cand[] {
    const cands: Cand[] = [];
    let start = 0;
    for (const count of counts) {
      const level: { a: number; cls: number; score: number; k: number }[] = [];
      for (let a = start; a < start + count; a++) {
        for (let c = 0; c < C; c++) {
          const score = 1 / (1 + Math.exp(-logits[a * C + c]));
          if (score > p.scoreThresh) level.push({ a, cls: c, score, k: a * C + c });
        }
      }
      level.sort((x, y) => y.score - x.score || x.k - y.k);
      for (const e of level.slice(0, p.topK)) {
        const box = Array.from(decodeBoxes(deltas.slice(4 * e.a, 4 * e.a + 4), anchors.slice(4 * e.a, 4 * e.a + 4)));
        const clipped = [Math.min(Math.max(box[0] / scale, 0), ow), Math.min(Math.max(box[1] / scale, 0), oh), Math.min(Math.max(box[2] / scale, 0), ow), Math.min(Math.max(box[3] / scale, 0), oh)];
        cands.push({ box: Array.from(Float32Array.from(clipped)), score: Math.fround(e.score), cls: e.cls });
      }
      start += count;
    }
    return bruteNms(cands, p.nmsIou).slice(0, p.maxDetections);
  }

  it('equals a brute-force threshold → per-level top-k → decode → clip → NMS → top-N on random outputs', () => {
    const r = rng(2);
    for (let trial = 0; trial < 4; trial++) {
      const logits = Float32Array.from({ length: A * C }, () => (r() - 0.85) * 12);
      const deltas = Float32Array.from({ length: A * 4 }, () => (r() - 0.5) * 0.8);
      const p = { scoreThresh: 0.05 + r() * 0.3, topK: 5 + Math.floor(r() * 200), nmsIou: 0.3 + r() * 0.4, maxDetections: 10 + Math.floor(r() * 100) };
      const scale = 0.5 + r();
      const dets = postprocessImage({ logits, deltas, anchors, levelCounts: counts, numClasses: C }, { scale, originalHeight: 100, originalWidth: 200 }, p);
      const want = brute(logits, deltas, p, scale, 100, 200);
      expect(dets.map((d) => d.label)).toEqual(want.map((w) => w.cls));
      dets.forEach((d, i) => {
        expect(d.score).toBeCloseTo(want[i].score, 6);
        d.box.forEach((v, k) => expect(v).toBeCloseTo(want[i].box[k], 3));
      });
    }
  });

  it('maps boxes back through scale and horizontal flip, clips them, and reports COCO ids', () => {
    const logits = new Float32Array(A * C).fill(-20);
    const deltas = new Float32Array(A * 4);
    // anchor 0 of P3 at (0, 0): base (-23, -11, 23, 11) → clipped; pick an interior one instead
    const a = (4 * 32 + 5) * 9 + 4; // y = 4, x = 5 on P3 (stride 8), base anchor 4 = ratio 1, size 40
    logits[a * C + 2] = 5;
    const [x1, y1, x2, y2] = anchors.slice(4 * a, 4 * a + 4);
    expect([x1, y1, x2, y2]).toEqual([20, 12, 60, 52]);
    const cfg = resolveRetinaNetConfig({ numClasses: C, backbone: { depth: 'narrow' } }).postprocess;
    const cats = [{ id: 1, name: 'a' }, { id: 5, name: 'b' }, { id: 90, name: 'c' }];
    const out = (meta: Parameters<typeof postprocessImage>[1]) => postprocessImage({ logits, deltas, anchors, levelCounts: counts, numClasses: C }, meta, cfg, cats);
    const plain = out({ scale: 2, originalHeight: 64, originalWidth: 128 });
    expect(plain).toHaveLength(1);
    expect(plain[0].box).toEqual([10, 6, 30, 26]);
    expect(plain[0]).toMatchObject({ label: 2, categoryId: 90 });
    expect(plain[0].score).toBeCloseTo(1 / (1 + Math.exp(-5)), 6);
    // flipped in a 200 px wide resized image: x ↦ 200 − x, then / scale
    const flipped = out({ scale: 2, originalHeight: 64, originalWidth: 100, flipped: true, resizedWidth: 200 });
    expect(flipped[0].box).toEqual([70, 6, 90, 26]);
    // clipped to the original image
    const small = out({ scale: 2, originalHeight: 20, originalWidth: 20 });
    expect(small[0].box).toEqual([10, 6, 20, 20]);
  });
});
