import { bboxToXyxy, clipBox, xyxyToBbox } from './index';

describe('one-box helpers', () => {
  it('bboxToXyxy / xyxyToBbox convert a COCO bbox and back', () => {
    expect(bboxToXyxy([10, 20, 30, 40])).toEqual([10, 20, 40, 60]);
    expect(xyxyToBbox([10, 20, 40, 60])).toEqual([10, 20, 30, 40]);
  });

  it('clipBox clamps each corner to the image and leaves the input alone', () => {
    const b: [number, number, number, number] = [-5, 3, 120, 90];
    expect(clipBox(b, 100, 80)).toEqual([0, 3, 100, 80]);
    expect(b).toEqual([-5, 3, 120, 90]);
  });
});
