import fc from 'fast-check';
import { groundTruth } from './__fixtures__/cases';
import { evaluateBbox, type CocoResult } from './index';

const box = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }));
const annotation = fc.record({ image_id: fc.integer({ min: 1, max: 3 }), category_id: fc.integer({ min: 1, max: 2 }), bbox: box, iscrowd: fc.constantFrom(0, 0, 0, 1) });
const detection = fc.record({ image_id: fc.integer({ min: 1, max: 3 }), category_id: fc.integer({ min: 1, max: 2 }), bbox: box });
const CATEGORIES = [
  { id: 1, name: 'a' },
  { id: 2, name: 'b' },
];

describe('properties on random small cases', () => {
  it('stats are −1 or in [0, 1], and do not depend on the results order when scores are distinct', () => {
    fc.assert(
      // keys: one random sort key per detection, so each case evaluates its own permutation of the results
      fc.property(fc.array(annotation, { maxLength: 8 }), fc.array(detection, { maxLength: 12 }), fc.array(fc.integer(), { minLength: 12, maxLength: 12 }), (anns, dets, keys) => {
        const gt = groundTruth([1, 2, 3], anns, CATEGORIES);
        const results: CocoResult[] = dets.map((d, i) => ({ ...d, score: (i + 1) / (dets.length + 1) }));
        const shuffled = results.map((r, i) => ({ r, key: keys[i] })).sort((a, b) => a.key - b.key).map(({ r }) => r);
        const { stats } = evaluateBbox(gt, results);
        for (const s of stats) expect(s === -1 || (s >= 0 && s <= 1)).toBe(true);
        expect(evaluateBbox(gt, shuffled).stats).toEqual(stats);
      }),
      { numRuns: 200 },
    );
  });
});
