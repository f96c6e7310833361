import { join } from 'node:path';
import { anchorsPerLevel, boxIou, generateAnchors } from '@retina/anchors';
import { loadCocoDataset, paddedSize, resizeBoxes, resizeScale, scaledSize, type DatasetImage } from '@retina/coco';
import { analyzeAnchors } from './analysis';
import { collectBoxes } from './boxes';
import { AnchorAnalysisError } from './config-flags';

const RACCOON = join(__dirname, '..', '..', '..', 'data', 'raccoon');

/** An in-memory image with boxes given as COCO xywh; `crowd` lists the indices of crowd boxes. */
function image(id: number, width: number, height: number, xywh: number[][], crowd: number[] = []): DatasetImage {
  return {
    id,
    fileName: `${id}.jpg`,
    path: `/nowhere/${id}.jpg`,
    width,
    height,
    annotations: xywh.map(([x, y, w, h], i) => ({ id: 100 * id + i, imageId: id, categoryId: 1, box: [x, y, x + w, y + h], area: w * h, iscrowd: crowd.includes(i) })),
  };
}

describe('analyzeAnchors coverage, on datasets whose answer is known by construction', () => {
  it('boxes equal to anchors of every level have best IoU 1: all covered', () => {
    // 800 × 800 stays 800 × 800 (shorter side 800), padded to 896 × 896: its anchors, verbatim
    const anchors = generateAnchors(896, 896);
    const inside: number[][] = [];
    const levels = new Set<number>();
    let start = 0;
    anchorsPerLevel(896, 896).forEach((count, level) => {
      for (let a = start; a < start + count; a += 37) {
        const [x1, y1, x2, y2] = anchors.subarray(4 * a, 4 * a + 4);
        if (x1 < 0 || y1 < 0 || x2 > 800 || y2 > 800) continue;
        inside.push([x1, y1, x2, y2]);
        levels.add(level);
      }
      start += count;
    });
    expect([...levels]).toEqual([0, 1, 2, 3, 4]);
    const r = analyzeAnchors([image(1, 800, 800, inside.map(([x1, y1, x2, y2]) => [x1, y1, x2 - x1, y2 - y1]))]);
    expect(r.coverage.overall).toEqual({ boxes: inside.length, matched50: inside.length, matched40: inside.length, share50: 1, share40: 1, meanBestIou: 1 });
    expect(r.coverage.unmatched).toEqual([]);
  });

  it('works in the resized frame: a 4 × 4 box of a 100 × 100 image is the 32 × 32 anchor at 800 px, and not at 100 px', () => {
    const images = [image(1, 100, 100, [[4, 4, 4, 4]])]; // × 8 → (32, 32, 64, 64): size 32, ratio 1, centre (48, 48) = 8 · (6, 6)
    expect(analyzeAnchors(images).coverage.overall.meanBestIou).toBe(1);
    expect(analyzeAnchors(images, { resize: { imageSize: 100 } }).coverage.overall.share40).toBe(0);
  });

  it('caps the longer side at --max-size: a 100 × 200 image scales by 4 (not 8) with max 800', () => {
    const images = [image(1, 100, 200, [[8, 8, 8, 8]])]; // × 4 → (32, 32, 64, 64)
    expect(analyzeAnchors(images, { resize: { maxSize: 800 } }).coverage.overall.meanBestIou).toBe(1);
  });

  it('resizes like the data loader: sides rounded to whole pixels, boxes scaled per axis, padded to 128', () => {
    // scale min(800 / 100, 1333 / 200) = 6.665 → 666.5 × 1333 rounds to 667 × 1333, padded 768 × 1408
    const b = collectBoxes([image(1, 100, 200, [[8, 8, 8, 8]])], { imageSize: 800, maxSize: 1333, padMultiple: 128 });
    const f = Math.fround;
    expect(Array.from(b.boxes)).toEqual([f(8 * 6.67), f(8 * 6.665), f(16 * 6.67), f(16 * 6.665)]);
    expect(b.paddedSizes).toEqual([{ height: 1408, width: 768 }]);
  });

  it('lists a 4 × 400 sliver as unmatched, with its ids and sizes, in the very-tall bucket', () => {
    const r = analyzeAnchors([image(7, 800, 800, [[300, 100, 4, 400], [64, 64, 32, 32]])]);
    expect(r.coverage.unmatched).toEqual([{ imageId: 7, annotationId: 700, width: 4, height: 400, fileWidth: 4, fileHeight: 400, bestIou: expect.closeTo(224 / 2944, 6) }]);
    expect(r.coverage.overall).toMatchObject({ boxes: 2, matched50: 1, matched40: 1, share50: 0.5 });
    const tall = r.coverage.byAspect.find((b) => b.min === 3);
    expect(tall).toMatchObject({ bucket: '≥ 3 (very tall)', boxes: 1, matched40: 0, share40: 0, max: null });
  });

  it('leaves out crowd boxes and boxes that are degenerate after resizing (x2 = x1 in float32), and counts them', () => {
    const r = analyzeAnchors([image(1, 800, 800, [[64, 64, 32, 32], [0, 0, 500, 500], [500, 10, 0.00001, 50]], [1])]);
    expect(r.boxes).toBe(1);
    expect(r.skipped).toEqual({ crowd: 1, degenerate: 1 });
  });

  it('buckets by resized area (COCO small / medium / large) and sqrt(area); empty buckets have null shares', () => {
    // scale 2 (400 × 400 → 800 × 800): sides 10 → 20 (small), 30 → 60 (medium), 60 → 120 (large)
    const r = analyzeAnchors([image(1, 400, 400, [[10, 10, 10, 10], [50, 50, 30, 30], [150, 150, 60, 60], [250, 250, 60, 60]])]);
    expect(r.coverage.byCocoSize.map((b) => b.boxes)).toEqual([1, 1, 2]);
    expect(r.coverage.bySqrtArea.map((b) => [b.bucket, b.boxes])).toEqual([['0–8', 0], ['8–16', 0], ['16–32', 1], ['32–64', 1], ['64–128', 2], ['128–256', 0], ['256–512', 0], ['≥ 512', 0]]);
    expect(r.coverage.bySqrtArea[0]).toMatchObject({ share50: null, share40: null, meanBestIou: null });
  });

  it('equals a brute-force evaluation (generateAnchors + boxIou per image) on the bundled raccoon val split', async () => {
    const { images } = await loadCocoDataset(join(RACCOON, 'annotations', 'instances_val.json'), join(RACCOON, 'images'), { checkFiles: false });
    const expected: number[] = [];
    for (const im of images) {
      const original = { height: im.height, width: im.width };
      const resized = scaledSize(original, resizeScale(original, 800, 1333));
      const padded = paddedSize(resized, 128);
      const boxes = resizeBoxes(Float32Array.from(im.annotations.flatMap((a) => a.box)), original, resized);
      const anchors = generateAnchors(padded.height, padded.width);
      const iou = boxIou(boxes, anchors);
      const n = anchors.length / 4;
      im.annotations.forEach((_, i) => expected.push(iou.subarray(i * n, (i + 1) * n).reduce((m, v) => Math.max(m, v), 0)));
    }
    const r = analyzeAnchors(images);
    expect(r.boxes).toBe(expected.length);
    expect(r.coverage.overall.matched50).toBe(expected.filter((v) => v >= 0.5).length);
    expect(r.coverage.overall.meanBestIou).toBeCloseTo(expected.reduce((s, v) => s + v, 0) / expected.length, 12);
  });

  it('rejects a bad config before doing any work, naming the flag', () => {
    expect(() => analyzeAnchors([], { anchors: { sizes: [32, 64] } })).toThrow(/^--sizes: needs one base size per stride \(5 strides: 8 16 32 64 128; got 2 sizes: 32 64\)$/);
    expect(() => analyzeAnchors([], { anchors: { ratios: [] } })).toThrow(AnchorAnalysisError);
    expect(() => analyzeAnchors([], { resize: { maxSize: -1 } })).toThrow(/^--max-size: must be a finite number > 0 \(got -1\)$/);
  });
});
