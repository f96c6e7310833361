import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateBbox, loadResultsFile, summaryLines } from './index';

const GOLDEN = join(__dirname, '../../../fixtures/golden/eval');
const TOLERANCE = 1e-9;
/** The reference's printout starts with 5 progress lines, then the 12 numbers. */
const SUMMARY_START = 5;

interface Expected {
  stats: number[];
  per_class_ap: Record<string, number>;
  summary: string;
}

const read = (dir: string, file: string): unknown => JSON.parse(readFileSync(join(GOLDEN, dir, file), 'utf8'));
const cases = readdirSync(GOLDEN).sort();

describe('golden cases (pycocotools COCOeval, bbox)', () => {
  it('covers every case named in the fixtures README', () => {
    expect(cases).toEqual(['area_field', 'basic', 'crowd', 'empty_category', 'ignore_flag', 'images_without_gt', 'maxdets_cut', 'mixed', 'score_ties']);
  });

  describe.each(cases)('%s', (name) => {
    const expected = read(name, 'expected.json') as Expected;
    const gt = read(name, 'gt.json') as Parameters<typeof evaluateBbox>[0];
    const dt = read(name, 'dt.json') as Parameters<typeof evaluateBbox>[1];

    it('has the 12 stats of the reference to 1e-9', () => {
      const { stats } = evaluateBbox(gt, dt);
      expect(stats).toHaveLength(12);
      stats.forEach((s, i) => expect(Math.abs(s - expected.stats[i])).toBeLessThanOrEqual(TOLERANCE));
    });

    it('has the per-class AP of the reference to 1e-9 (−1 without ground truth)', () => {
      const { perClass } = evaluateBbox(gt, dt);
      expect(perClass.map((c) => String(c.categoryId)).sort()).toEqual(Object.keys(expected.per_class_ap).sort());
      for (const c of perClass) expect(Math.abs(c.ap - expected.per_class_ap[String(c.categoryId)])).toBeLessThanOrEqual(TOLERANCE);
    });

    it('prints the summary lines exactly as the reference', () => {
      const { stats, params } = evaluateBbox(gt, dt);
      const reference = expected.summary.split('\n').slice(SUMMARY_START, SUMMARY_START + 12);
      expect(summaryLines(stats, params)).toEqual(reference);
    });

    it('gives the same numbers from the streamed results file', async () => {
      const columns = await loadResultsFile(join(GOLDEN, name, 'dt.json'));
      expect(evaluateBbox(gt, columns).stats).toEqual(evaluateBbox(gt, dt).stats);
    });
  });
});
