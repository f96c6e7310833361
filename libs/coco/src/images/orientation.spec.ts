import { orientBoxes, orientedSize, swapsAxes } from './orientation';

describe('orientBoxes', () => {
  // The box [2, 3, 8, 7] of a 30×20 stored image, displayed under each EXIF orientation (worked
  // out by hand; decode.spec.ts checks the same table against sharp's rotated pixels).
  const expected: Record<number, number[]> = {
    1: [2, 3, 8, 7],
    2: [22, 3, 28, 7],
    3: [22, 13, 28, 17],
    4: [2, 13, 8, 17],
    5: [3, 2, 7, 8],
    6: [13, 2, 17, 8],
    7: [13, 22, 17, 28],
    8: [3, 22, 7, 28],
  };

  it.each(Object.entries(expected))('orientation %s moves the box as the pixels move', (o, box) => {
    expect([...orientBoxes(Float32Array.of(2, 3, 8, 7), Number(o), 30, 20)]).toEqual(box);
  });

  it('keeps boxes well-formed (x1 < x2, y1 < y2) and the displayed size consistent', () => {
    for (let o = 1; o <= 8; o++) {
      const size = orientedSize(30, 20, o);
      expect(size).toEqual(swapsAxes(o) ? { width: 20, height: 30 } : { width: 30, height: 20 });
      const b = orientBoxes(Float32Array.of(0, 0, 30, 20, 1, 2, 3, 4), o, 30, 20);
      expect([...b.subarray(0, 4)]).toEqual([0, 0, size.width, size.height]);
      expect(b[6] > b[4] && b[7] > b[5]).toBe(true);
    }
  });
});
