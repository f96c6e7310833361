import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCocoDataset } from '../annotations/load';
import { verifyImages } from './verify-images';
import { tempDir, writeRectDataset } from '../__fixtures__/helpers';

describe('verifyImages', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('reports every unusable image (corrupt, too large, wrong size), sorted by id', async () => {
    const { ann, root } = await writeRectDataset(tmp.dir, [
      { width: 40, height: 30, boxes: [[1, 1, 5, 5]] },
      { width: 40, height: 30, boxes: [[1, 1, 5, 5]], annotatedSize: [41, 30] },
      { width: 40, height: 30, boxes: [[1, 1, 5, 5]] },
      { width: 80, height: 80, boxes: [[1, 1, 5, 5]] },
    ]);
    writeFileSync(join(root, 'im3.png'), 'garbage');
    const ds = await loadCocoDataset(ann, root);
    const report = await verifyImages(ds, { maxPixels: 2000 });
    expect(report.checked).toBe(4);
    expect(report.problems.map((p) => [p.imageId, p.error.message.replace(/^.*images\//, '')])).toEqual([
      [2, 'im2.png: is 40x30 (after EXIF orientation) but instances.json says 41x30 for image 2'],
      [3, expect.stringMatching(/^im3\.png: cannot decode image: /)],
      [4, 'im4.png: 80x80 = 6400 pixels is above the limit of 2000 (maxPixels); refusing to decode a possible decompression bomb'],
    ]);
  });
});
