import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCocoDataset } from '@retina/coco';
import { writeLargeAnnotationFile } from './large-annotations';

describe('writeLargeAnnotationFile', () => {
  it('writes a COCO file of about the requested size that both readers load identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'large-'));
    try {
      const path = join(dir, 'big.json');
      const s = await writeLargeAnnotationFile(path, { targetBytes: 400_000, seed: 3 });
      expect(statSync(path).size).toBe(s.bytes);
      expect(s.bytes / 400_000).toBeGreaterThan(0.8);
      expect(s.bytes / 400_000).toBeLessThan(1.2);
      const a = await loadCocoDataset(path, dir, { checkFiles: false });
      const b = await loadCocoDataset(path, dir, { checkFiles: false, streamThresholdBytes: 0 });
      expect(a.stats).toMatchObject({ images: s.images, annotations: s.annotations, categories: 80, streamed: false });
      expect(a.stats.crowdAnnotations).toBeGreaterThan(0);
      expect(b.stats.streamed).toBe(true);
      expect(b.images).toEqual(a.images);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
