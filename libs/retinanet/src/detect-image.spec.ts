/**
 * One decoded image through the detector (`detectImage`, shared by `retina-eval predict` and the web
 * page): the padded input, and the reported detections against `net.predict` on an input built by hand.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resizeRgb, type RgbImage } from '@retina/image';
import { aboveThreshold, categoryTable, createRetinaNet, detectImage, prepareImage, type RetinaNet } from './index';

/** Every pixel differs from its neighbours. */
function pattern(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 37 + Math.floor(i / 7) * 11) % 256);
  return { data, height, width };
}

let net: RetinaNet;
beforeAll(async () => {
  await tf.setBackend('cpu');
  // untrained; prior 0.5 makes every anchor score ≈ 0.5, so there are always detections
  net = createRetinaNet({
    numClasses: 2,
    categories: [{ id: 3, name: 'cat' }, { id: 7, name: 'dog' }],
    seed: 2,
    backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] },
    fpn: { channels: 8 },
    head: { channels: 8, convs: 1, prior: 0.5, initStd: 0.03 },
    postprocess: { maxDetections: 20 },
    testSize: { shortSide: 48, maxSize: 80 },
  });
});
afterAll(() => net.dispose());

describe('prepareImage', () => {
  it('resizes to the test size (shorter side, capped longer side) and pads bottom/right with zeros to the multiple', () => {
    const image = pattern(100, 40); // scale min(48/40, 80/100) = 0.8 → 80 × 32, padded to 128 × 128
    const p = prepareImage(image, 128, { shortSide: 48, maxSize: 80 });
    expect([p.height, p.width, p.pixels.length]).toEqual([128, 128, 128 * 128 * 3]);
    expect(p.meta).toEqual({ scale: 0.8, originalHeight: 40, originalWidth: 100, resizedHeight: 32, resizedWidth: 80 });
    const resized = resizeRgb(image, { height: 32, width: 80 });
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        for (let c = 0; c < 3; c++) {
          const want = y < 32 && x < 80 ? resized.data[(y * 80 + x) * 3 + c] : 0;
          if (p.pixels[(y * 128 + x) * 3 + c] !== want) throw new Error(`pixel (${x}, ${y}) channel ${c}: ${p.pixels[(y * 128 + x) * 3 + c]}, expected ${want}`);
        }
      }
    }
  });
});

describe('detectImage', () => {
  const image = pattern(70, 50);

  it('reports what net.predict finds on the padded input: best first, boxes to 0.01 px, scores to 1e-4, category names', async () => {
    const numTensors = tf.memory().numTensors;
    const found = await detectImage(net, image);
    expect(tf.memory().numTensors).toBe(numTensors);
    // the same input, built here: scale min(48/50, 80/70) = 0.96 → 67 × 48, padded to 128 × 128
    const resized = resizeRgb(image, { height: 48, width: 67 });
    const padded = tf.tidy(() => tf.expandDims(tf.pad(tf.tensor3d(resized.data, [48, 67, 3], 'float32'), [[0, 80], [0, 61], [0, 0]]), 0) as tf.Tensor4D);
    const [direct] = await net.predict(padded, [{ scale: 0.96, originalHeight: 50, originalWidth: 70, resizedHeight: 48, resizedWidth: 67 }]);
    padded.dispose();
    expect(found.length).toBe(direct.length);
    expect(found.length).toBeGreaterThan(3);
    const names: Record<number, string> = { 3: 'cat', 7: 'dog' };
    const expected = [...direct]
      .sort((a, b) => b.score - a.score)
      .map((d) => ({ box: d.box.map((v) => Math.round(v * 100) / 100), categoryId: d.categoryId, category: names[d.categoryId], score: Math.round(d.score * 1e4) / 1e4 }));
    expect(found).toEqual(expected);
    for (let i = 1; i < found.length; i++) expect(found[i - 1].score).toBeGreaterThanOrEqual(found[i].score);
  });

  it('keeps the detections whose reported score reaches the threshold, as aboveThreshold does', async () => {
    const all = await detectImage(net, image);
    const cut = all[Math.floor(all.length / 2)].score;
    const kept = await detectImage(net, image, { scoreThreshold: cut });
    expect(kept).toEqual(all.filter((d) => d.score >= cut));
    expect(aboveThreshold(all, cut)).toEqual(kept);
    expect(kept.length).toBeLessThan(all.length);
  });

  it('runs at a given test size instead of the model’s', async () => {
    const small = await detectImage(net, image, { testSize: { shortSide: 24, maxSize: 40 } });
    expect(small).not.toEqual(await detectImage(net, image));
  });
});

describe('categoryTable', () => {
  it('names saved categories and falls back to the class index', () => {
    const table = categoryTable({ categories: [{ id: 3, name: 'cat' }] });
    expect([table(3), table(9)]).toEqual([{ index: 0, name: 'cat' }, { index: 9, name: 'class 9' }]);
    expect(categoryTable({})(1)).toEqual({ index: 1, name: 'class 1' });
  });
});
