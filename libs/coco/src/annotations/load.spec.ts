import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CocoFormatError, CocoOptionError, MissingImagesError } from '../errors';
import { loadCocoDataset } from './load';
import { RACCOON, tempDir, validDoc, writeJson } from '../__fixtures__/helpers';

describe('loadCocoDataset', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  /** Writes the document and empty image files for every image it names. */
  function fixture(name: string, doc: unknown, files: string[] = ['a.png', 'b.png']): { ann: string; root: string } {
    const root = join(tmp.dir, name, 'images');
    mkdirSync(root, { recursive: true });
    for (const f of files) writeFileSync(join(root, f), '');
    return { ann: writeJson(join(tmp.dir, name, 'instances.json'), doc), root };
  }

  it('loads the bundled real-photo dataset: counts, xyxy boxes, contiguous categories', async () => {
    const ds = await loadCocoDataset(join(RACCOON, 'annotations', 'instances_train.json'), join(RACCOON, 'images'));
    expect(ds.stats).toMatchObject({ images: 160, annotations: 175, crowdAnnotations: 0, categories: 1, clippedBoxes: 0, streamed: false });
    expect(ds.categoryMap.names).toEqual(['raccoon']);
    const im = ds.getImage(1);
    // raccoon-1.jpg: 650x417 → 384x246; source bbox [80, 87, 442, 321] scaled by (384/650, 246/417):
    // x1 = 47.26, y1 = 51.32, x2 = 522·0.5908 = 308.38, y2 = 408·0.5899 = 240.69 → file bbox [47.26, 51.32, 261.12, 189.37].
    expect(im).toMatchObject({ fileName: 'raccoon-1.jpg', width: 384, height: 246 });
    expect(im?.annotations[0].box).toEqual([47.26, 51.32, 47.26 + 261.12, 51.32 + 189.37]);
  });

  it('gives the same dataset through the streaming reader', async () => {
    const ann = join(RACCOON, 'annotations', 'instances_val.json');
    const a = await loadCocoDataset(ann, join(RACCOON, 'images'));
    const b = await loadCocoDataset(ann, join(RACCOON, 'images'), { streamThresholdBytes: 0 });
    expect(b.stats.streamed).toBe(true);
    expect(b.images).toEqual(a.images);
    expect(b.categories).toEqual(a.categories);
  });

  it('keeps crowd regions, segmentation (polygons and RLE), info and licenses', async () => {
    const doc = validDoc();
    Object.assign(doc.annotations[0], { segmentation: [[4, 6, 24, 6, 24, 16]] });
    Object.assign(doc.annotations[2], { segmentation: { counts: [0, 3072], size: [48, 64] } });
    const { ann, root } = fixture('extras', { info: { year: 2017 }, licenses: [{ id: 1, name: 'x' }], ...doc });
    for (const threshold of [Infinity, 0]) {
      const ds = await loadCocoDataset(ann, root, { streamThresholdBytes: threshold });
      expect(ds.info).toEqual({ year: 2017 });
      expect(ds.licenses).toEqual([{ id: 1, name: 'x' }]);
      const [a, b] = [ds.getImage(1)?.annotations[0], ds.getImage(2)?.annotations[0]];
      expect(a).toMatchObject({ id: 10, categoryId: 7, box: [4, 6, 24, 16], iscrowd: false, segmentation: [[4, 6, 24, 6, 24, 16]] });
      expect(b).toMatchObject({ id: 12, iscrowd: true, segmentation: { counts: [0, 3072], size: [48, 64] } });
      expect(ds.stats.crowdAnnotations).toBe(1);
    }
    const lean = await loadCocoDataset(ann, root, { keepSegmentation: false });
    expect(lean.getImage(1)?.annotations[0].segmentation).toBeUndefined();
  });

  it('clips boxes that extend outside their image and counts them in one warning', async () => {
    const doc = validDoc();
    doc.annotations[0].bbox = [-2, 40, 20, 10]; // x1 < 0 and y2 = 50 > 48
    doc.annotations[1].bbox = [30, 20, 34.0004, 20]; // x2 = 64.0004: within rounding tolerance
    const { ann, root } = fixture('clip', doc);
    const ds = await loadCocoDataset(ann, root);
    expect(ds.getImage(1)?.annotations.map((a) => a.box)).toEqual([
      [0, 40, 18, 48],
      [30, 20, 64, 40],
    ]);
    expect(ds.stats.clippedBoxes).toBe(1);
    expect(ds.warnings).toEqual(['instances.json: 1 box(es) extended outside their image and were clipped (first: annotation 10)']);
  });

  it('lists every missing image file in one error, truncated after 10', async () => {
    const doc = validDoc();
    doc.images = Array.from({ length: 13 }, (_, i) => ({ id: i + 1, file_name: `m${i + 1}.png`, width: 64, height: 48 }));
    const { ann, root } = fixture('missing', doc, ['m1.png']);
    const err = (await loadCocoDataset(ann, root).catch((e) => e)) as MissingImagesError;
    expect(err).toBeInstanceOf(MissingImagesError);
    expect(err.missing).toHaveLength(12);
    expect(err.message).toBe(
      `instances.json: 12 image file(s) missing under ${root}: ` +
        Array.from({ length: 10 }, (_, i) => `m${i + 2}.png (image ${i + 2})`).join(', ') +
        ', and 2 more',
    );
  });

  it('refuses a symlink that leads out of the images root, accepts one that stays inside', async () => {
    const { ann, root } = fixture('symlink', validDoc(), ['a.png']);
    writeFileSync(join(tmp.dir, 'outside.png'), '');
    symlinkSync(join(tmp.dir, 'outside.png'), join(root, 'b.png'));
    const err = (await loadCocoDataset(ann, root).catch((e) => e)) as CocoFormatError;
    expect(err).toBeInstanceOf(CocoFormatError);
    expect(err.message).toMatch(/^instances\.json: image 2: file_name resolves outside the images root through a symlink \(b\.png -> .*outside\.png\)$/);
    const inside = fixture('symlink-inside', validDoc(), ['a.png']);
    symlinkSync(join(inside.root, 'a.png'), join(inside.root, 'b.png'));
    await expect(loadCocoDataset(inside.ann, inside.root)).resolves.toBeDefined();
  });

  it('names a missing annotation file or images root as an option error', async () => {
    await expect(loadCocoDataset(join(tmp.dir, 'nope.json'), tmp.dir)).rejects.toThrow(CocoOptionError);
    const { ann } = fixture('noroot', validDoc());
    await expect(loadCocoDataset(ann, join(tmp.dir, 'no-such-dir'))).rejects.toThrow(/option imagesRoot: directory .*no-such-dir does not exist/);
  });
});
