import fc from 'fast-check';
import { AnchorArgumentError, clipBoxes, removeSmallBoxes, selectBoxes, xywhToXyxy, xyxyToXywh } from './index';

describe('box helpers', () => {
  it('clips boxes to [0, width] × [0, height]', () => {
    const b = clipBoxes(Float32Array.from([-5, 2, 30, 300, 10, 10, 10, 20]), 100, 20);
    expect(Array.from(b)).toEqual([0, 2, 20, 100, 10, 10, 10, 20]);
    expect(() => clipBoxes(new Float32Array(4), -1, 20)).toThrow(/clipBoxes: height must be a finite number ≥ 0 \(got -1\)/);
  });

  it('keeps the indices of boxes with positive sides of at least minSize', () => {
    const boxes = Float32Array.from([0, 0, 20, 100, 10, 10, 10, 20, 0, 0, 5, 50, 0, 0, 50, 5, 3, 3, 1, 9]);
    expect(Array.from(removeSmallBoxes(boxes))).toEqual([0, 2, 3]);
    expect(Array.from(removeSmallBoxes(boxes, 6))).toEqual([0]);
    expect(() => removeSmallBoxes(boxes, Number.NaN)).toThrow(AnchorArgumentError);
  });

  it('gathers boxes by index and rejects an index out of range', () => {
    const boxes = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(selectBoxes(boxes, [1, 0, 1]))).toEqual([4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7]);
    expect(() => selectBoxes(boxes, [2])).toThrow(/selectBoxes: indices\[0\] = 2 is not a box index in 0..1/);
  });

  it('converts between COCO xywh and xyxy, both ways', () => {
    expect(Array.from(xywhToXyxy(Float32Array.from([1, 2, 3, 4])))).toEqual([1, 2, 4, 6]);
    expect(Array.from(xyxyToXywh(Float32Array.from([1, 2, 4, 6])))).toEqual([1, 2, 3, 4]);
    const lattice = fc.integer({ min: 0, max: 4000 }).map((v) => v / 4);
    fc.assert(
      fc.property(fc.array(fc.tuple(lattice, lattice, lattice, lattice)), (boxes) => {
        const xywh = Float32Array.from(boxes.flat());
        expect(Array.from(xyxyToXywh(xywhToXyxy(xywh)))).toEqual(Array.from(xywh));
      }),
    );
  });
});
