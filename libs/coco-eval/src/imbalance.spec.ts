import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { groundTruth } from './__fixtures__/cases';
import {
  buildImbalanceReport,
  byFrequency,
  confusionMatrix,
  evaluateBbox,
  formatConfusionMatrix,
  imbalanceMarkdown,
  type CocoGroundTruth,
  type CocoResult,
  type ImbalanceReport,
} from './index';

const TOLERANCE = 1e-9;
const SOURCES = { groundTruth: 'gt.json', detections: 'dt.json' };
const PLOTS: ImbalanceReport['plots'] = {
  apVsFrequency: 'ap-vs-frequency.png',
  prCurves: 'pr-curves.png',
  perClassPr: ['pr-1-common.png', 'pr-2-rare.png', 'pr-3-tiny.png', 'pr-4-noisy.png'],
  confusion: 'confusion.png',
};

/**
 * A hand-made case (fixtures/imbalance/gt.json, dt.json; boxes [x, y, 10, 10]). Every true positive is an exact copy of its ground-truth box (IoU 1) and every
 * false positive overlaps nothing of its class (IoU 0), so each AP is the same at every IoU threshold
 * and can be worked out by hand with the 101-point interpolation.
 *
 * - common (id 1, 4 GT, one per image): scores 0.9 TP, 0.8 FP, 0.7 TP, 0.3 TP.
 *   Recall .25 .25 .50 .75, precision 1 .5 .667 .75 → interpolated 1 up to recall .25, .75 up to .75:
 *   AP = (26 · 1 + 50 · 0.75) / 101. At 0.5: TP 2, FP 1, FN 2. Best F1: 2·3 / (3 + 1 + 4) = .75 at 0.3.
 * - rare (id 2, 3 GT): 0.6 FP, 0.2 TP → interpolated .5 up to recall 1/3: AP = 34 · 0.5 / 101.
 *   At 0.5: only the FP. Best F1: 2 / (1 + 1 + 3) = .4 at 0.2 with recall 1/3 < .5 → missed.
 * - tiny (id 3, 1 GT): no detection → AP 0, no true positive → missed.
 * - noisy (id 4, 2 GT): 18 FPs (0.99 … 0.82), then 0.8 TP, 0.7 TP → precision .1 at recall 1,
 *   interpolated .1 everywhere: AP = 0.1. At 0.5: TP 2, FP 18. Best F1: 4 / 22 at 0.7 with recall 1.
 *   Mean AP = (63.5/101 + 17/101 + 0 + 0.1) / 4 ≈ 0.2243, so AP 0.1 < half of it → missed.
 * - ghost (id 5, no GT): one detection → AP −1, never missed.
 */
const AP_COMMON = (26 + 50 * 0.75) / 101;
const AP_RARE = (34 * 0.5) / 101;
const AP_NOISY = 0.1;
const MEAN_AP = (AP_COMMON + AP_RARE + 0 + AP_NOISY) / 4;

// The case's files (shared with retina-eval's --report spec, which feeds them to the CLI).
const CASE = join(__dirname, '../../../fixtures/imbalance');
const gt = JSON.parse(readFileSync(join(CASE, 'gt.json'), 'utf8')) as CocoGroundTruth;
const dt = JSON.parse(readFileSync(join(CASE, 'dt.json'), 'utf8')) as CocoResult[];
const box = (x: number, y: number): number[] => [x, y, 10, 10];

/** Hand-computed expectations, by category id. */
const EXPECTED = {
  1: { numGt: 4, ap: AP_COMMON, at: { precision: 2 / 3, recall: 0.5, f1: 4 / 7, tp: 2, fp: 1, fn: 2 }, best: { f1: 0.75, scoreThreshold: 0.3, recall: 0.75, precision: 0.75 }, missed: false },
  2: { numGt: 3, ap: AP_RARE, at: { precision: 0, recall: 0, f1: 0, tp: 0, fp: 1, fn: 3 }, best: { f1: 0.4, scoreThreshold: 0.2, recall: 1 / 3, precision: 0.5 }, missed: true },
  3: { numGt: 1, ap: 0, at: { precision: 0, recall: 0, f1: 0, tp: 0, fp: 0, fn: 1 }, best: null, missed: true },
  4: { numGt: 2, ap: AP_NOISY, at: { precision: 0.1, recall: 1, f1: 4 / 22, tp: 2, fp: 18, fn: 0 }, best: { f1: 4 / 22, scoreThreshold: 0.7, recall: 1, precision: 0.1 }, missed: true },
  5: { numGt: 0, ap: -1, at: { precision: -1, recall: -1, f1: -1, tp: 0, fp: 1, fn: 0 }, best: null, missed: false },
} as const;

const reportOf = (scoreThreshold?: number): ImbalanceReport =>
  buildImbalanceReport(evaluateBbox(gt, dt, { scoreThreshold }), SOURCES, PLOTS, confusionMatrix(gt, dt));
const report = reportOf();
const close = (actual: number, expected: number): void => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOLERANCE);

describe('buildImbalanceReport (class-imbalance report)', () => {
  it('reports the score threshold (default 0.5), IoU 0.5 and the mean AP over categories with ground truth', () => {
    expect(report.scoreThreshold).toBe(0.5);
    expect(report.iouThreshold).toBe(0.5);
    close(report.meanAp, MEAN_AP);
    expect(report.numImages).toBe(4);
    expect(report.missRule).toEqual({ recallAtBestF1Below: 0.5, apBelowFractionOfMeanAp: 0.5 });
  });

  it.each(Object.entries(EXPECTED))('matches the hand-computed AP, share, P/R/F1 at 0.5 and best F1 of category %s', (id, e) => {
    const c = report.classes.find((k) => k.categoryId === Number(id));
    expect(c).toBeDefined();
    if (!c) return;
    expect(c.numGt).toBe(e.numGt);
    close(c.gtShare, e.numGt / 10);
    close(c.ap, e.ap);
    (['precision', 'recall', 'f1', 'tp', 'fp', 'fn'] as const).forEach((k) => close(c.atThreshold[k], e.at[k]));
    const best = c.bestF1;
    if (e.best === null || best === null) expect([best, e.best]).toEqual([null, null]);
    else (['f1', 'scoreThreshold', 'recall', 'precision'] as const).forEach((k) => close(best[k], e.best[k]));
    expect(c.missed).toBe(e.missed);
  });

  it('names the missed categories rarest first, each with its reason', () => {
    expect(report.missed).toEqual([3, 4, 2]);
    const reasons = Object.fromEntries(report.classes.map((c) => [c.name, c.reasons.join('; ')]));
    expect(reasons.tiny).toMatch(/^no true positive at any score; AP 0\.000 < 0\.50 × mean AP 0\.224$/);
    expect(reasons.rare).toMatch(/^recall 0\.33 < 0\.50 at its best-F1 score threshold 0\.200$/);
    expect(reasons.noisy).toMatch(/^AP 0\.100 < 0\.50 × mean AP 0\.224$/);
    expect(reasons.common).toBe('');
    expect(reasons.ghost).toBe('');
  });

  it("takes the operating point at the evaluation's score threshold", () => {
    const at = reportOf(0.25);
    expect(at.scoreThreshold).toBe(0.25);
    // common at 0.25: all four detections, TP 3 (0.9, 0.7, 0.3), FP 1 (0.8); F1 = 2·3 / (3 + 1 + 4).
    expect(at.classes[0].atThreshold).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, tp: 3, fp: 1, fn: 1 });
  });

  it('copies the input names, the plot names and the confusion matrix it is given', () => {
    const confusion = confusionMatrix(gt, dt);
    const r = buildImbalanceReport(evaluateBbox(gt, dt), SOURCES, PLOTS, confusion);
    expect([r.groundTruth, r.detections]).toEqual(['gt.json', 'dt.json']);
    expect(r.plots).toBe(PLOTS);
    expect(r.confusion).toBe(confusion);
  });

  it('gives mean AP −1, shares 0 and no missed category without any ground truth', () => {
    const empty = groundTruth([1], [], [{ id: 7, name: 'ghost' }]);
    const detections = [{ image_id: 1, category_id: 7, bbox: box(0, 0), score: 0.9 }];
    const r = buildImbalanceReport(evaluateBbox(empty, detections), SOURCES, { ...PLOTS, perClassPr: [] }, confusionMatrix(empty, detections));
    expect(r.meanAp).toBe(-1);
    expect(r.classes).toEqual([expect.objectContaining({ categoryId: 7, numGt: 0, gtShare: 0, numDt: 1, ap: -1, bestF1: null, missed: false, reasons: [] })]);
    expect(r.missed).toEqual([]);
    const md = imbalanceMarkdown(r);
    expect(md).toMatch(/## Categories the model misses\n\n.*\n\nNone\.\n/);
    expect(md).toContain('One PR curve per category: none (no category has ground truth).');
  });
});

describe('imbalanceMarkdown', () => {
  const md = imbalanceMarkdown(report);

  it('lists the missed categories first, then a table rarest first', () => {
    const missedSection = md.slice(md.indexOf('## Categories the model misses'), md.indexOf('## Per category'));
    expect(missedSection.match(/^- \*\*\w+\*\*/gm)).toEqual(['- **tiny**', '- **noisy**', '- **rare**']);
    expect(missedSection).toContain('- **rare** (id 2, 3 GT boxes, 30.0% of the ground truth): recall 0.33 < 0.50 at its best-F1 score threshold 0.200.');
    const rows = md.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.map((r) => r[2])).toEqual(['ghost', 'tiny', 'noisy', 'rare', 'common']);
    // common: 4 GT of 10 = 40.0%, 4 detections, AP = AP50 = 63.5 / 101 = 0.6287 → 0.629.
    expect(rows.find((r) => r[2] === 'common')?.slice(3, 8)).toEqual(['4', '40.0%', '4', '0.629', '0.629']);
    // ghost has no ground truth: '-' for its AP, its rates and the missed column.
    expect(rows[0].slice(6, 16)).toEqual(['-', '-', '-', '-', '-', '-', '-', '-', '-', '']);
  });

  it('links every plot and embeds the confusion table', () => {
    expect(md).toContain('![AP against the number of ground-truth boxes](ap-vs-frequency.png)');
    expect(md).toContain('![Precision-recall curves at IoU 0.50](pr-curves.png)');
    expect(md).toContain('One PR curve per category: [pr-1-common.png](pr-1-common.png), [pr-2-rare.png](pr-2-rare.png), [pr-3-tiny.png](pr-3-tiny.png), [pr-4-noisy.png](pr-4-noisy.png).');
    expect(md).toContain(`\`\`\`\n${formatConfusionMatrix(report.confusion)}\n\`\`\``);
    expect(md).toMatch(/!\[Confusion matrix\]\(confusion\.png\)\n$/);
  });
});

describe('byFrequency', () => {
  it('orders categories rarest first, ties by id, without reordering its input', () => {
    expect(byFrequency([...report.classes].reverse()).map((c) => c.categoryId)).toEqual([5, 3, 4, 2, 1]);
    // Ids 2 and 4 get 0 boxes, 1, 3 and 5 get 1: within each count, ascending id whatever the input order.
    const tied = [...report.classes].reverse().map((c) => ({ ...c, numGt: c.categoryId % 2 }));
    expect(byFrequency(tied).map((c) => c.categoryId)).toEqual([2, 4, 1, 3, 5]);
    expect(tied.map((c) => c.categoryId)).toEqual([5, 4, 3, 2, 1]);
  });
});
