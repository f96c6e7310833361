import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, type CocoDocument } from '@retina/coco';
import { shrinkDataset } from './shrink-dataset';

/** A 200×100 image: gray, with a red rectangle at x 20..100, y 10..50 (COCO bbox [20, 10, 80, 40]). */
async function writeSource(src: string): Promise<void> {
  mkdirSync(join(src, 'images'), { recursive: true });
  mkdirSync(join(src, 'annotations'));
  const raw = Buffer.alloc(200 * 100 * 3, 128);
  for (let y = 10; y < 50; y++) for (let x = 20; x < 100; x++) raw.set([255, 0, 0], (y * 200 + x) * 3);
  await sharp(raw, { raw: { width: 200, height: 100, channels: 3 } }).png().toFile(join(src, 'images', 'wide.png'));
  await sharp({ create: { width: 40, height: 30, channels: 3, background: '#000' } }).png().toFile(join(src, 'images', 'small.png'));
  const doc: CocoDocument = {
    info: { description: 'kept as is' },
    images: [
      { id: 1, file_name: 'wide.png', width: 200, height: 100, license: 3 },
      { id: 2, file_name: 'small.png', width: 40, height: 30 },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [20, 10, 80, 40], area: 3200, iscrowd: 0, segmentation: [[20, 10, 100, 10, 100, 50]] },
      { id: 2, image_id: 2, category_id: 1, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0 },
    ],
    categories: [{ id: 1, name: 'thing' }],
  };
  writeFileSync(join(src, 'annotations', 'instances_val.json'), JSON.stringify(doc));
  writeFileSync(join(src, 'LICENSE'), 'MIT');
}

describe('shrinkDataset', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'shrink-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scales images over the limit, and their boxes, areas and polygons with them', async () => {
    const src = join(dir, 'src');
    const out = join(dir, 'out');
    await writeSource(src);
    expect(await shrinkDataset({ src, out, maxSide: 50 })).toEqual({ files: ['instances_val.json'], images: 2, resized: 1 });
    const doc = JSON.parse(readFileSync(join(out, 'annotations', 'instances_val.json'), 'utf8')) as CocoDocument;
    expect(doc.info).toEqual({ description: 'kept as is' });
    expect(doc.images).toEqual([
      { id: 1, file_name: 'wide.png', width: 50, height: 25, license: 3 },
      { id: 2, file_name: 'small.png', width: 40, height: 30 },
    ]);
    // 200×100 → 50×25: both axes × 0.25.
    expect(doc.annotations[0]).toMatchObject({ bbox: [5, 2.5, 20, 10], area: 200, segmentation: [[5, 2.5, 25, 2.5, 25, 12.5]] });
    expect(doc.annotations[1]).toMatchObject({ bbox: [1, 2, 3, 4], area: 12 });
    expect(readFileSync(join(out, 'LICENSE'), 'utf8')).toBe('MIT');
    // The red rectangle is where the scaled box says (± 1 px of JPEG and resampling blur).
    const img = await decodeImage(join(out, 'images', 'wide.png'));
    expect([img.width, img.height]).toEqual([50, 25]);
    const red = (x: number, y: number) => img.data[(y * 50 + x) * 3] > 200 && img.data[(y * 50 + x) * 3 + 1] < 60;
    expect([red(6, 4), red(23, 11), red(3, 4), red(27, 11), red(15, 14)]).toEqual([true, true, false, false, false]);
  });

  it('refuses RLE segmentations, which it cannot resize', async () => {
    const src = join(dir, 'rle');
    await writeSource(src);
    const path = join(src, 'annotations', 'instances_val.json');
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.annotations[0].segmentation = { counts: [0, 20000], size: [100, 200] };
    writeFileSync(path, JSON.stringify(doc));
    await expect(shrinkDataset({ src, out: join(dir, 'rle-out'), maxSide: 50 })).rejects.toThrow(
      'instances_val.json: annotation 1: segmentation is an RLE mask, which this tool cannot resize',
    );
  });
});
