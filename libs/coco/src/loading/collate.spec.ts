import { collate } from './collate';
import type { PreparedSample } from '../images/sample';

function sample(id: number, height: number, width: number, value: number): PreparedSample {
  return {
    imageId: id,
    pixels: { data: new Uint8Array(height * width * 3).fill(value), height, width },
    boxes: Float32Array.of(1, 2, 3, 4),
    labels: Int32Array.of(0),
    crowd: Uint8Array.of(0),
    originalHeight: height * 2,
    originalWidth: width * 2,
    scale: 0.5,
    flipped: false,
    droppedBoxes: 0,
    warnings: [],
  };
}

describe('collate', () => {
  it('pads every image (bottom/right, zeros) to the batch maximum rounded up to padMultiple, NHWC', () => {
    const batch = collate([sample(1, 130, 100, 7), sample(2, 90, 260, 9)], 128);
    expect([batch.batchSize, batch.height, batch.width]).toEqual([2, 256, 384]);
    expect(batch.images.length).toBe(2 * 256 * 384 * 3);
    const at = (n: number, y: number, x: number, c: number) => batch.images[((n * 256 + y) * 384 + x) * 3 + c];
    expect([at(0, 0, 0, 0), at(0, 129, 99, 2), at(0, 130, 0, 0), at(0, 0, 100, 0)]).toEqual([7, 7, 0, 0]);
    expect([at(1, 89, 259, 1), at(1, 90, 0, 0), at(1, 0, 260, 0)]).toEqual([9, 0, 0]);
    let sum = 0;
    for (const v of batch.images) sum += v;
    expect(sum).toBe(130 * 100 * 3 * 7 + 90 * 260 * 3 * 9);
  });

  it('carries per-image targets, with the content size inside the padding', () => {
    const [t] = collate([sample(5, 10, 20, 1)], 128).targets;
    expect(t).toMatchObject({ imageId: 5, originalHeight: 20, originalWidth: 40, scale: 0.5, resizedHeight: 10, resizedWidth: 20, flipped: false });
    expect([...t.boxes]).toEqual([1, 2, 3, 4]);
  });
});
