import { cocoBoxIou } from './iou';

const boxes = (...b: number[][]): Float64Array => Float64Array.from(b.flat());

describe('cocoBoxIou (xywh, the reference bbIou)', () => {
  it('gives intersection over union for regular boxes, laid out [D, G]', () => {
    const gt = boxes([0, 0, 10, 10], [20, 20, 10, 10]);
    const dt = boxes([0, 0, 10, 10], [5, 0, 10, 10], [10, 0, 5, 5]);
    const iou = cocoBoxIou(dt, gt, new Uint8Array(2));
    // identical → 1; half overlap → 50 / 150; touching edges → 0; disjoint → 0
    expect(Array.from(iou)).toEqual([1, 0, 50 / 150, 0, 0, 0]);
  });

  it('divides by the detection area for a crowd region', () => {
    const crowd = boxes([0, 0, 100, 100]);
    const dt = boxes([10, 10, 20, 20], [90, 0, 20, 10]);
    expect(Array.from(cocoBoxIou(dt, crowd, Uint8Array.of(1)))).toEqual([1, 100 / 200]);
    expect(Array.from(cocoBoxIou(dt, crowd, Uint8Array.of(0)))).toEqual([400 / 10000, 100 / (200 + 10000 - 100)]);
  });

  it('gives 0 for zero-size boxes', () => {
    expect(Array.from(cocoBoxIou(boxes([5, 5, 0, 4]), boxes([0, 0, 10, 10]), Uint8Array.of(1)))).toEqual([0]);
  });
});
