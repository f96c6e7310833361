import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, loadCocoDataset, verifyImages, type CocoDocument } from '@retina/coco';
import { generateDataset } from './dataset';

/** Hash of every file under `dir/images` and `dir/annotations`. */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  for (const sub of ['annotations', 'images']) {
    for (const f of readdirSync(join(dir, sub)).sort()) h.update(f).update(readFileSync(join(dir, sub, f)));
  }
  return h.digest('hex');
}

function readDoc(dir: string, split: 'train' | 'val'): CocoDocument {
  return JSON.parse(readFileSync(join(dir, 'annotations', `instances_${split}.json`), 'utf8')) as CocoDocument;
}

describe('generateDataset', () => {
  let root = '';
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'synth-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is deterministic: the same seed writes identical files, another seed different ones', async () => {
    const opts = { images: 12, size: 96, minSize: 64 };
    await generateDataset({ ...opts, out: join(root, 'a'), seed: 4 });
    await generateDataset({ ...opts, out: join(root, 'b'), seed: 4 });
    await generateDataset({ ...opts, out: join(root, 'c'), seed: 5 });
    expect(treeHash(join(root, 'b'))).toBe(treeHash(join(root, 'a')));
    expect(treeHash(join(root, 'c'))).not.toBe(treeHash(join(root, 'a')));
  });

  it('writes a valid COCO dataset whose boxes, areas and pixels agree with the polygons', async () => {
    const out = join(root, 'main');
    const summary = await generateDataset({ out, images: 60, size: 256, seed: 1, rareClassFraction: 0.3, format: 'png' });
    expect([summary.train.images, summary.val.images]).toEqual([48, 12]);
    const ds = await loadCocoDataset(join(out, 'annotations', 'instances_train.json'), join(out, 'images'), { strict: true });
    expect((await verifyImages(ds)).problems).toEqual([]);
    const doc = readDoc(out, 'train');
    const areas: number[] = [];
    for (const a of doc.annotations) {
      const poly = (a.segmentation as number[][])[0];
      const xs = poly.filter((_, i) => i % 2 === 0);
      const ys = poly.filter((_, i) => i % 2 === 1);
      const [x1, y1, x2, y2] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      [x1, y1, x2 - x1, y2 - y1].forEach((v, c) => expect(a.bbox[c]).toBeCloseTo(v, 1));
      expect(a.area).toBeCloseTo(shoelace(xs, ys), 0);
      areas.push(a.area);
    }
    // Sizes span COCO's small (< 32²), medium and large (> 96²) ranges.
    expect(areas.some((x) => x < 32 ** 2)).toBe(true);
    expect(areas.some((x) => x > 32 ** 2 && x < 96 ** 2)).toBe(true);
    expect(areas.some((x) => x > 96 ** 2)).toBe(true);
    // Every class appears; the rare class ("star", last) near the requested 30%.
    const all = [...doc.annotations, ...readDoc(out, 'val').annotations];
    const stars = all.filter((a) => a.category_id === 5).length / all.length;
    expect(stars).toBeGreaterThan(0.2);
    expect(stars).toBeLessThan(0.4);
    expect(new Set(all.map((a) => a.category_id))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('fills each object with one solid colour: interior sample points have identical pixels', async () => {
    const out = join(root, 'main');
    const doc = readDoc(out, 'val');
    for (const im of doc.images) {
      const img = await decodeImage(join(out, 'images', im.file_name));
      for (const a of doc.annotations.filter((x) => x.image_id === im.id && x.bbox[2] >= 16)) {
        const poly = (a.segmentation as number[][])[0];
        const n = poly.length / 2;
        const cx = poly.filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / n;
        const cy = poly.filter((_, i) => i % 2 === 1).reduce((s, v) => s + v, 0) / n;
        // The centroid, and points a third of the way to four spread vertices: inside every shape class.
        const points = [[cx, cy], ...[0, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4)].map((k) => [cx + (poly[2 * k] - cx) / 3, cy + (poly[2 * k + 1] - cy) / 3])];
        const colors = points.map(([x, y]) => {
          const i = (Math.floor(y) * img.width + Math.floor(x)) * 3;
          return [img.data[i], img.data[i + 1], img.data[i + 2]].join(',');
        });
        expect(new Set(colors).size).toBe(1);
      }
    }
  });

  it('keeps the default rare class rare and checks its options', async () => {
    const out = join(root, 'rare');
    const s = await generateDataset({ out, images: 40, size: 64, seed: 2, classes: 3 });
    expect(Object.keys(s.perClass)).toEqual(['circle', 'rectangle', 'triangle']);
    const total = Object.values(s.perClass).reduce((x, y) => x + y, 0);
    expect(s.perClass.triangle / total).toBeLessThan(0.08);
    await expect(generateDataset({ out, images: 0 })).rejects.toThrow(/^option images: must be an integer in \[1, Infinity\] \(got 0\)$/);
    await expect(generateDataset({ out, images: 2, rareClassFraction: 1.5 })).rejects.toThrow(/option rareClassFraction: must be in \[0, 1\)/);
    await expect(generateDataset({ out, images: 2, classes: 9 })).rejects.toThrow(/option classes/);
  });
});

function shoelace(xs: number[], ys: number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const j = (i + 1) % xs.length;
    s += xs[i] * ys[j] - xs[j] * ys[i];
  }
  return Math.abs(s) / 2;
}
