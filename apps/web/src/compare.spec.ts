/** The oracle of the browser check (__fixtures__/compare.ts) must see every kind of disagreement. */
import { compareDetections, type ImageDets } from './__fixtures__/compare';

const reference: ImageDets[] = [
  {
    name: 'a.jpg',
    width: 100,
    height: 80,
    detections: [
      { box: [10, 10, 50, 60], categoryId: 1, score: 0.9 },
      { box: [20, 5, 70, 40], categoryId: 2, score: 0.5 },
    ],
  },
];
const variant = (change: (d: ImageDets) => void): ImageDets[] => {
  const copy = structuredClone(reference);
  change(copy[0]);
  return copy;
};

describe('compareDetections', () => {
  it('pairs equal detections, in any order, and reports the largest differences', () => {
    const page = variant((d) => {
      d.detections = [{ ...d.detections[1], box: [20.3, 5, 70, 40], score: 0.5004 }, d.detections[0]];
    });
    const c = compareDetections(page, reference, 0.5, 1e-3);
    expect(c.problems).toEqual([]);
    expect([c.images, c.compared]).toEqual([1, 2]);
    expect(c.maxBox).toBeCloseTo(0.3, 10);
    expect(c.maxScore).toBeCloseTo(0.0004, 10);
  });

  it.each([
    ['a corner 0.6 px off', (d: ImageDets) => (d.detections = [{ ...d.detections[0], box: [10, 10, 50.6, 60] }, d.detections[1]]), /a.jpg: \[10,10,50.6,60\] 0.9 vs reference \[10,10,50,60\] 0.9/],
    ['a score 2e-3 off', (d: ImageDets) => (d.detections = [{ ...d.detections[0], score: 0.902 }, d.detections[1]]), /0.902 vs reference/],
    ['a detection missing', (d: ImageDets) => (d.detections = [d.detections[0]]), /a.jpg: 1 detections, reference 2/],
    ['another category', (d: ImageDets) => (d.detections = [d.detections[0], { ...d.detections[1], categoryId: 1 }]), /a.jpg: no reference detection left for \[20,5,70,40\] category 1 score 0.5/],
    ['another size', (d: ImageDets) => (d.width = 99), /a.jpg: size 99×80, reference 100×80/],
    ['another image', (d: ImageDets) => (d.name = 'b.jpg'), /images differ/],
  ])('flags %s', (_what, change, message) => {
    expect(compareDetections(variant(change), reference, 0.5, 1e-3).problems.join('\n')).toMatch(message);
  });
});
