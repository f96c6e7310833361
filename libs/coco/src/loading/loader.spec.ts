import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from './collate';
import { CocoOptionError, ImageDecodeError } from '../errors';
import { loadCocoDataset } from '../annotations/load';
import { CategoryMap } from '../annotations/category-map';
import { createDataLoader, createEvalLoader, type DataLoader } from './loader';
import { colorBounds, objectColor, RACCOON, tempDir, writeRectDataset, type RectSpec } from '../__fixtures__/helpers';

async function collect(loader: DataLoader, epoch: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch)) out.push(b);
  return out;
}

/** Everything a batch holds, with the pixels as a hash (deep-comparing large arrays is slow). */
function fingerprint(batches: Batch[]): unknown[] {
  return batches.map((b) => ({
    pixels: createHash('sha256').update(new Uint8Array(b.images.buffer, b.images.byteOffset, b.images.byteLength)).digest('hex'),
    size: [b.batchSize, b.height, b.width],
    targets: b.targets.map((t) => ({ ...t, boxes: [...t.boxes], labels: [...t.labels], crowd: [...t.crowd] })),
  }));
}

/** One image of a batch as an RGB HWC array. */
function imageOf(batch: Batch, n: number): Float32Array {
  const size = batch.height * batch.width * 3;
  return batch.images.subarray(n * size, (n + 1) * size);
}

// Expected input size by torchvision's rule, computed here independently of the library.
function expectedSize(h: number, w: number, shortSide: number, maxSize: number): [number, number] {
  const s = Math.min(shortSide / Math.min(h, w), maxSize / Math.max(h, w));
  return [Math.round(h * s), Math.round(w * s)];
}

const SPECS: RectSpec[] = [
  { width: 96, height: 64, boxes: [[10, 8, 40, 30], [60, 20, 90, 60]] },
  { width: 64, height: 96, boxes: [[5, 50, 30, 90]], categoryIds: [2] },
  { width: 120, height: 80, boxes: [[70, 10, 110, 40]] },
  { width: 80, height: 80, boxes: [[20, 20, 60, 44]], categoryIds: [2] },
  { width: 100, height: 60, boxes: [[0, 0, 30, 30]] },
];

describe('createDataLoader on generated images', () => {
  const tmp = tempDir();
  let ann = '';
  let root = '';
  beforeAll(async () => ({ ann, root } = await writeRectDataset(tmp.dir, SPECS)));
  afterAll(() => tmp.cleanup());

  it('moves boxes with the pixels through resize, flip and pad (checked against the pixels and by hand)', async () => {
    const ds = await loadCocoDataset(ann, root);
    const loader = createDataLoader(ds, { batchSize: 2, shortSide: 72, maxSize: 110, padMultiple: 128, hflip: 0.5, seed: 3, workers: 2 });
    let flips = 0;
    for (const batch of await collect(loader, 0)) {
      expect(batch.height % 128).toBe(0);
      expect(batch.width % 128).toBe(0);
      batch.targets.forEach((t, n) => {
        const spec = SPECS[t.imageId - 1];
        const [h, w] = expectedSize(spec.height, spec.width, 72, 110);
        expect([t.resizedHeight, t.resizedWidth, t.originalHeight, t.originalWidth]).toEqual([h, w, spec.height, spec.width]);
        flips += t.flipped ? 1 : 0;
        const firstObject = SPECS.slice(0, t.imageId - 1).reduce((k, s) => k + s.boxes.length, 0);
        spec.boxes.forEach((b, j) => {
          const sx = w / spec.width;
          const sy = h / spec.height;
          const x1 = t.flipped ? w - b[2] * sx : b[0] * sx;
          const x2 = t.flipped ? w - b[0] * sx : b[2] * sx;
          const box = [...t.boxes.subarray(4 * j, 4 * j + 4)];
          [x1, b[1] * sy, x2, b[3] * sy].forEach((v, c) => expect(box[c]).toBeCloseTo(v, 3));
          // The object's colour is found exactly inside the box (± 1 px of resampling blur).
          const found = colorBounds(imageOf(batch, n), batch.width, batch.height, objectColor(firstObject + j), 90);
          found?.forEach((v, c) => expect(Math.abs(v - box[c])).toBeLessThanOrEqual(1.01));
          expect(found).not.toBeNull();
        });
        expect([...t.labels]).toEqual((spec.categoryIds ?? spec.boxes.map(() => 1)).map((id) => id - 1));
      });
    }
    expect(flips).toBeGreaterThan(0);
    expect(loader.stats).toMatchObject({ images: 5, droppedBoxes: 0, skippedImages: 0 });
  });

  it('gives identical batches for the same seed and epoch, whatever the concurrency', async () => {
    const ds = await loadCocoDataset(ann, root);
    const options = { batchSize: 2, shortSide: [48, 64], maxSize: 100, seed: 11, colorJitter: { brightness: 0.3, saturation: 0.3 }, scaleJitter: [0.8, 1.2] as const };
    const a = fingerprint(await collect(createDataLoader(ds, { ...options, workers: 1, prefetch: 1 }), 2));
    const b = fingerprint(await collect(createDataLoader(ds, { ...options, workers: 8, prefetch: 4 }), 2));
    expect(b).toEqual(a);
    expect(fingerprint(await collect(createDataLoader(ds, { ...options, seed: 12 }), 2))).not.toEqual(a);
    expect(fingerprint(await collect(createDataLoader(ds, { ...options, workers: 1 }), 3))).not.toEqual(a);
  });

  it('draws the shorter side from the multi-scale list', async () => {
    const ds = await loadCocoDataset(ann, root);
    const sides = new Set<number>();
    for (let e = 0; e < 4; e++) {
      for (const b of await collect(createDataLoader(ds, { batchSize: 5, shortSide: [32, 48], maxSize: 1000, aspectGrouping: false }), e)) {
        b.targets.forEach((t) => sides.add(Math.min(t.resizedHeight, t.resizedWidth)));
      }
    }
    expect([...sides].sort()).toEqual([32, 48]);
  });

  it('selects subsets: image ids, categories (re-indexed), maxImages, empty images skipped', async () => {
    const ds = await loadCocoDataset(ann, root);
    const byIds = createEvalLoader(ds, { imageIds: [4, 2] });
    expect(byIds.images.map((im) => im.id)).toEqual([2, 4]);
    const cat2 = createEvalLoader(ds, { categoryIds: [2], skipEmptyImages: true, batchSize: 4 });
    expect(cat2.categoryMap.ids).toEqual([2]);
    const batches = await collect(cat2, 0);
    expect(batches.flatMap((b) => b.targets.map((t) => [t.imageId, [...t.labels]]))).toEqual([[2, [0]], [4, [0]]]);
    expect(createEvalLoader(ds, { maxImages: 3 }).images).toHaveLength(3);
    expect(() => createEvalLoader(ds, { imageIds: [99] })).toThrow(/option imageIds: unknown image id\(s\) 99/);
    expect(() => createEvalLoader(ds, { categoryIds: [5] })).toThrow(CocoOptionError);
  });

  it("takes class indices from a given category map (a model's), leaving out boxes of categories it lacks", async () => {
    const ds = await loadCocoDataset(ann, root);
    expect(ds.categoryMap.ids).toEqual([1, 2]);
    // the model knows categories 2 and 7: 2 → index 0, 7 → index 1; category 1 is not among them
    const model = CategoryMap.fromCategories([{ id: 7, name: 'seven' }, { id: 2, name: 'two' }]);
    const loader = createEvalLoader(ds, { categoryMap: model, batchSize: 5 });
    expect(loader.categoryMap).toBe(model);
    const [batch] = await collect(loader, 0);
    // images 2 and 4 hold one category-2 box each; the others only category-1 boxes
    expect(batch.targets.map((t) => [t.imageId, [...t.labels], t.boxes.length / 4])).toEqual([[1, [], 0], [2, [0], 1], [3, [], 0], [4, [0], 1], [5, [], 0]]);
    expect(ds.images[0].annotations).toHaveLength(2); // the dataset itself is left as it was
  });

  it('evaluation loader: every image once, in order, unflipped, at the fixed size', async () => {
    const ds = await loadCocoDataset(ann, root);
    const batches = await collect(createEvalLoader(ds, { shortSide: 64, maxSize: 200 }), 0);
    expect(batches.map((b) => b.targets[0].imageId)).toEqual([1, 2, 3, 4, 5]);
    for (const b of batches) {
      const t = b.targets[0];
      const spec = SPECS[t.imageId - 1];
      expect(t.flipped).toBe(false);
      expect([t.resizedHeight, t.resizedWidth]).toEqual(expectedSize(spec.height, spec.width, 64, 200));
    }
  });

  it('drops boxes that become degenerate, with a count', async () => {
    const ds = await loadCocoDataset(ann, root);
    // At 32 px image 5 (100×60) becomes 53×32, its 30 px box 30·53/100 = 15.9 × 16: dropped with minBoxSize 16.
    const options = { batchSize: 1, imageIds: [5], shortSide: 32, maxSize: 1000, hflip: 0 };
    const dropping = createDataLoader(ds, { ...options, minBoxSize: 16 });
    const [batch] = await collect(dropping, 0);
    expect(batch.targets[0].boxes.length).toBe(0);
    expect(dropping.stats.droppedBoxes).toBe(1);
    const [kept] = await collect(createDataLoader(ds, { ...options, minBoxSize: 15 }), 0);
    [0, 0, 15.9, 16].forEach((v, c) => expect(kept.targets[0].boxes[c]).toBeCloseTo(v, 5));
  });

  it('rejects bad options with one line naming the option', async () => {
    const ds = await loadCocoDataset(ann, root);
    expect(() => createDataLoader(ds, { batchSize: 0 })).toThrow(/^option batchSize: must be a positive integer \(got 0\)$/);
    expect(() => createDataLoader(ds, { batchSize: 2, hflip: 2 })).toThrow(/option hflip: must be a probability in \[0, 1\]/);
    expect(() => createDataLoader(ds, { batchSize: 2, scaleJitter: [1.2, 0.8] })).toThrow(/option scaleJitter/);
  });
});

describe('loader error handling and EXIF', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('throws on a corrupt image, or skips it with a count and a warning', async () => {
    const { ann, root } = await writeRectDataset(join(tmp.dir, 'corrupt'), SPECS.slice(0, 3));
    writeFileSync(join(root, 'im2.png'), 'not a png');
    const ds = await loadCocoDataset(ann, root);
    const strict = createDataLoader(ds, { batchSize: 3, shortSide: 64, shuffle: false });
    await expect(collect(strict, 0)).rejects.toThrow(ImageDecodeError);
    const warnings: string[] = [];
    const lenient = createDataLoader(ds, { batchSize: 3, shortSide: 64, shuffle: false, aspectGrouping: false, onImageError: 'skip', onWarning: (m) => warnings.push(m) });
    const batches = await collect(lenient, 0);
    expect(batches.map((b) => b.targets.map((t) => t.imageId))).toEqual([[1, 3]]);
    expect(lenient.stats.skippedImages).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/^skipped image 2: .*im2\.png: cannot decode image/)]);
  });

  it('names an image whose size disagrees with the annotation', async () => {
    const { ann, root } = await writeRectDataset(join(tmp.dir, 'size'), [{ width: 50, height: 40, boxes: [[1, 1, 9, 9]], annotatedSize: [60, 40] }]);
    const ds = await loadCocoDataset(ann, root);
    await expect(collect(createEvalLoader(ds), 0)).rejects.toThrow(/im1\.png: is 50x40 \(after EXIF orientation\) but instances\.json says 60x40 for image 1$/);
  });

  it('applies EXIF rotation to pixels and boxes, whichever frame the boxes were drawn in', async () => {
    // Stored 60×40 with orientation 6 (displayed 40×60). The red box [5, 4, 25, 14] in stored
    // pixels is displayed at (x, y) → (40 − y, x): [26, 5, 36, 25].
    const stored: RectSpec = { width: 60, height: 40, boxes: [[5, 4, 25, 14]], orientation: 6 };
    const variants: [string, RectSpec][] = [
      ['displayed-frame', { ...stored, annotatedSize: [40, 60], annotatedBoxes: [[26, 5, 36, 25]] }],
      ['stored-frame', { ...stored, annotatedSize: [60, 40] }],
    ];
    for (const [name, spec] of variants) {
      const { ann, root } = await writeRectDataset(join(tmp.dir, name), [spec]);
      const ds = await loadCocoDataset(ann, root);
      const [batch] = await collect(createEvalLoader(ds, { shortSide: 60, maxSize: 1000 }), 0);
      const t = batch.targets[0];
      expect([t.originalWidth, t.originalHeight, t.resizedWidth, t.resizedHeight]).toEqual([40, 60, 60, 90]);
      expect([...t.boxes]).toEqual([39, 7.5, 54, 37.5]); // [26, 5, 36, 25] × 1.5
      const found = colorBounds(imageOf(batch, 0), batch.width, batch.height, objectColor(0), 90);
      expect(found).not.toBeNull();
      found?.forEach((v, c) => expect(Math.abs(v - t.boxes[c])).toBeLessThanOrEqual(1.01));
    }
  });
});

describe('createDataLoader on real photos', () => {
  it('batches raccoon photos at 256 px: padded to 128, boxes scaled by hand-computed factors', async () => {
    const ds = await loadCocoDataset(join(RACCOON, 'annotations', 'instances_train.json'), join(RACCOON, 'images'));
    const loader = createDataLoader(ds, { batchSize: 4, shortSide: 256, maxSize: 384, maxImages: 8, hflip: 0, seed: 1 });
    const batches = await collect(loader, 0);
    expect(batches.flatMap((b) => b.targets)).toHaveLength(8);
    for (const b of batches) {
      expect([b.height % 128, b.width % 128, b.images.length]).toEqual([0, 0, b.batchSize * b.height * b.width * 3]);
      for (const t of b.targets) {
        const im = ds.getImage(t.imageId);
        if (!im) throw new Error('unknown image');
        const [h, w] = expectedSize(im.height, im.width, 256, 384);
        expect([t.resizedHeight, t.resizedWidth]).toEqual([h, w]);
        im.annotations.forEach((a, j) => {
          expect(t.boxes[4 * j]).toBeCloseTo((a.box[0] * w) / im.width, 3);
          expect(t.boxes[4 * j + 3]).toBeCloseTo((a.box[3] * h) / im.height, 3);
        });
      }
    }
  });
});
