/**
 * Target assignment against a second computation (the full IoU matrix + matchAnchors + encodeBoxes
 * of @retina/anchors, anchor by anchor) and hand cases for crowd boxes and empty images.
 */
import { anchorGrid, boxIou, encodeBoxes, matchAnchors } from '@retina/anchors';
import { RetinaNetInputError, assignTargets } from './index';

const matcher = { high: 0.5, low: 0.4, allowLowQuality: true };
const grid = anchorGrid(128, 256);
const A = grid.anchors.length / 4;

describe('assignTargets', () => {
  it('equals IoU matrix → matcher → class labels and encoded deltas, image by image', () => {
    const images = [
      { boxes: Float32Array.from([10, 12, 70, 90, 100, 20, 240, 120]), labels: Int32Array.from([2, 0]) },
      { boxes: Float32Array.from([30, 30, 45, 50]), labels: Int32Array.from([1]) },
    ];
    const t = assignTargets(grid, images, 3, matcher);
    let positives = 0;
    images.forEach((img, i) => {
      const n = img.labels.length;
      const m = matchAnchors(boxIou(img.boxes, grid.anchors), n, A, matcher);
      for (let a = 0; a < A; a++) {
        const label = t.labels[i * A + a];
        expect(label).toBe(m[a] >= 0 ? img.labels[m[a]] : m[a]);
        const got = Array.from(t.boxTargets.subarray((i * A + a) * 4, (i * A + a + 1) * 4));
        if (m[a] >= 0) {
          positives++;
          const want = encodeBoxes(img.boxes.slice(4 * m[a], 4 * m[a] + 4), grid.anchors.slice(4 * a, 4 * a + 4));
          expect(got).toEqual(Array.from(want));
        } else {
          expect(got).toEqual([0, 0, 0, 0]);
        }
      }
    });
    expect(t.numPositive).toBe(positives);
    expect(positives).toBeGreaterThan(3);
  });

  it('makes every anchor background for an image without boxes', () => {
    const t = assignTargets(grid, [{ boxes: new Float32Array(0), labels: new Int32Array(0) }], 2, matcher);
    expect(t.numPositive).toBe(0);
    expect(t.labels.every((l) => l === -1)).toBe(true);
  });

  it('turns background anchors a crowd box covers (IoU ≥ low) into ignore, never into positives', () => {
    const crowdBox = Float32Array.from([100, 20, 200, 110]);
    const t = assignTargets(grid, [{ boxes: crowdBox, labels: Int32Array.from([0]), crowd: Uint8Array.from([1]) }], 1, matcher);
    const iou = boxIou(crowdBox, grid.anchors);
    expect(t.numPositive).toBe(0);
    let ignored = 0;
    for (let a = 0; a < A; a++) {
      expect(t.labels[a]).toBe(iou[a] >= 0.4 ? -2 : -1);
      if (iou[a] >= 0.4) ignored++;
    }
    expect(ignored).toBeGreaterThan(0);
  });

  it('keeps positives of normal boxes next to a crowd box', () => {
    const boxes = Float32Array.from([10, 12, 70, 90, 100, 20, 200, 110]);
    const withCrowd = assignTargets(grid, [{ boxes, labels: Int32Array.from([1, 0]), crowd: Uint8Array.from([0, 1]) }], 2, matcher);
    const alone = assignTargets(grid, [{ boxes: boxes.slice(0, 4), labels: Int32Array.from([1]) }], 2, matcher);
    expect(withCrowd.numPositive).toBe(alone.numPositive);
    for (let a = 0; a < A; a++) if (alone.labels[a] >= 0) expect(withCrowd.labels[a]).toBe(1);
  });

  it('rejects labels outside 0..C-1 and mismatched lengths with the image and field named', () => {
    expect(() => assignTargets(grid, [{ boxes: Float32Array.from([0, 0, 10, 10]), labels: Int32Array.from([3]) }], 3, matcher)).toThrow(
      new RetinaNetInputError('computeLosses', 'targets[0].labels[0] must be a class index in [0, 2] (got 3)'),
    );
    expect(() => assignTargets(grid, [{ boxes: Float32Array.from([0, 0, 10, 10]), labels: new Int32Array(2) }], 3, matcher)).toThrow(/targets\[0\]\.labels must be an Int32Array of 1 values/);
  });
});
