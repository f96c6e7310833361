import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { run } from './cli';
import type { ConfusionJson } from './confusion-files';
import type { ImbalanceReport } from './imbalance';
import type { CliIo } from './io';

const TOLERANCE = 1e-9;

/**
 * A hand-made case. Every true positive is an exact copy of its ground-truth box (IoU 1) and every
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

const box = (x: number, y: number): number[] => [x, y, 10, 10];
const gt = {
  images: [1, 2, 3, 4].map((id) => ({ id, width: 64, height: 64, file_name: `${id}.png` })),
  categories: ['common', 'rare', 'tiny', 'noisy', 'ghost'].map((name, i) => ({ id: i + 1, name })),
  annotations: [
    ...[1, 2, 3, 4].map((image) => ({ image_id: image, category_id: 1, bbox: box(0, 0) })),
    ...[1, 2, 3].map((image) => ({ image_id: image, category_id: 2, bbox: box(20, 0) })),
    { image_id: 3, category_id: 3, bbox: box(40, 0) },
    ...[1, 2].map((image) => ({ image_id: image, category_id: 4, bbox: box(0, 20) })),
  ].map((a, i) => ({ ...a, id: i + 1, area: 100, iscrowd: 0 })),
};
const dt = [
  { image_id: 1, category_id: 1, bbox: box(0, 0), score: 0.9 },
  { image_id: 1, category_id: 1, bbox: box(50, 50), score: 0.8 },
  { image_id: 2, category_id: 1, bbox: box(0, 0), score: 0.7 },
  { image_id: 3, category_id: 1, bbox: box(0, 0), score: 0.3 },
  { image_id: 4, category_id: 2, bbox: box(20, 0), score: 0.6 },
  { image_id: 1, category_id: 2, bbox: box(20, 0), score: 0.2 },
  ...Array.from({ length: 18 }, (_, i) => ({ image_id: (i % 4) + 1, category_id: 4, bbox: box((i % 5) * 10, 40), score: Math.round(99 - i) / 100 })),
  { image_id: 1, category_id: 4, bbox: box(0, 20), score: 0.8 },
  { image_id: 2, category_id: 4, bbox: box(0, 20), score: 0.7 },
  { image_id: 1, category_id: 5, bbox: box(30, 30), score: 0.5 },
];

/** Hand-computed expectations, by category id. */
const EXPECTED = {
  1: { numGt: 4, ap: AP_COMMON, at: { precision: 2 / 3, recall: 0.5, f1: 4 / 7, tp: 2, fp: 1, fn: 2 }, best: { f1: 0.75, scoreThreshold: 0.3, recall: 0.75, precision: 0.75 }, missed: false },
  2: { numGt: 3, ap: AP_RARE, at: { precision: 0, recall: 0, f1: 0, tp: 0, fp: 1, fn: 3 }, best: { f1: 0.4, scoreThreshold: 0.2, recall: 1 / 3, precision: 0.5 }, missed: true },
  3: { numGt: 1, ap: 0, at: { precision: 0, recall: 0, f1: 0, tp: 0, fp: 0, fn: 1 }, best: null, missed: true },
  4: { numGt: 2, ap: AP_NOISY, at: { precision: 0.1, recall: 1, f1: 4 / 22, tp: 2, fp: 18, fn: 0 }, best: { f1: 4 / 22, scoreThreshold: 0.7, recall: 1, precision: 0.1 }, missed: true },
  5: { numGt: 0, ap: -1, at: { precision: -1, recall: -1, f1: -1, tp: 0, fp: 1, fn: 0 }, best: null, missed: false },
} as const;

const quiet = (): CliIo & { stderr: string[] } => {
  const stderr: string[] = [];
  return { stderr, out: () => undefined, err: (l) => stderr.push(l) };
};

let dir: string;
let report: ImbalanceReport;
let io: ReturnType<typeof quiet>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-eval-report-'));
  writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
  writeFileSync(join(dir, 'dt.json'), JSON.stringify(dt));
  io = quiet();
  expect(await run(['--gt', join(dir, 'gt.json'), '--dt', join(dir, 'dt.json'), '--report', join(dir, 'report')], io)).toBe(0);
  report = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const close = (actual: number, expected: number): void => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOLERANCE);

describe('retina-eval --report (class-imbalance report)', () => {
  it('reports the score threshold (default 0.5), IoU 0.5 and the mean AP over categories with ground truth', () => {
    expect(report.scoreThreshold).toBe(0.5);
    expect(report.iouThreshold).toBe(0.5);
    close(report.meanAp, MEAN_AP);
    expect(report.numImages).toBe(4);
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
    expect(reasons.tiny).toMatch(/no true positive at any score; AP 0\.000 < 0\.50 × mean AP 0\.224/);
    expect(reasons.rare).toMatch(/^recall 0\.33 < 0\.50 at its best-F1 score threshold 0\.200$/);
    expect(reasons.noisy).toMatch(/^AP 0\.100 < 0\.50 × mean AP 0\.224$/);
    expect(reasons.common).toBe('');
    expect(io.stderr.join('\n')).toMatch(/wrote the class-imbalance report to .*report \(missed: tiny, noisy, rare\)/);
  });

  it('writes report.md with the missed categories and a table rarest first', () => {
    const md = readFileSync(join(dir, 'report', 'report.md'), 'utf8');
    const missedSection = md.slice(md.indexOf('## Categories the model misses'), md.indexOf('## Per category'));
    expect(missedSection.match(/^- \*\*\w+\*\*/gm)).toEqual(['- **tiny**', '- **noisy**', '- **rare**']);
    const rows = md.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.map((r) => r[2])).toEqual(['ghost', 'tiny', 'noisy', 'rare', 'common']);
    expect(rows.find((r) => r[2] === 'common')?.slice(3, 8)).toEqual(['4', '40.0%', '4', '0.629', '0.629']);
  });

  it('writes the AP-vs-frequency plot, the combined PR plot and one PR plot per category with ground truth', () => {
    const files = ['ap-vs-frequency.png', 'pr-curves.png', 'pr-1-common.png', 'pr-2-rare.png', 'pr-3-tiny.png', 'pr-4-noisy.png'];
    for (const f of files) expect(readFileSync(join(dir, 'report', f)).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(dir, 'report', 'pr-5-ghost.png'))).toBe(false);
    expect(report.plots).toEqual({ apVsFrequency: files[0], prCurves: files[1], perClassPr: files.slice(2), confusion: 'confusion.png' });
  });

  /**
   * Confusion matrix at IoU 0.5, score ≥ 0.25 (rows predicted, columns true; common, rare, tiny,
   * noisy, ghost, background). Common: 3 matched, the 0.8 detection off every box is a false positive,
   * image 4's box is missed. Rare: the 0.6 detection is on image 4 (no rare box there) → false
   * positive; the 0.2 one is below 0.25 → all 3 boxes missed. Tiny: missed. Noisy: 2 matched, the 18
   * detections at y = 40 overlap nothing → false positives. Ghost: its detection overlaps nothing.
   */
  const CONFUSION = [
    [3, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 2, 0, 18],
    [0, 0, 0, 0, 0, 1],
    [1, 3, 1, 0, 0, 0],
  ];

  it('adds the hand-computed confusion matrix to report.json and writes confusion.json', () => {
    expect(report.confusion.classes.map((c) => c.name)).toEqual(['common', 'rare', 'tiny', 'noisy', 'ghost']);
    expect(report.confusion.matrix).toEqual(CONFUSION);
    expect([report.confusion.iouThreshold, report.confusion.scoreThreshold]).toEqual([0.5, 0.25]);
    const alone: ConfusionJson = JSON.parse(readFileSync(join(dir, 'report', 'confusion.json'), 'utf8'));
    expect(alone.matrix).toEqual(CONFUSION);
    expect(alone.axes).toEqual({ rows: 'predicted', columns: 'true', last: 'background' });
  });

  it('prints the confusion matrix on stderr with its thresholds, and writes a valid confusion.png', () => {
    const err = io.stderr.join('\n');
    expect(err).toMatch(/^confusion matrix at IoU 0\.5, score ≥ 0\.25 \(rows: predicted, columns: true\)$/m);
    expect(err).toMatch(/^noisy +0 +0 +0 +2 +0 +18$/m);
    expect(err).toMatch(/^background +1 +3 +1 +0 +0 +-$/m);
    const bytes = readFileSync(join(dir, 'report', 'confusion.png'));
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const png = PNG.sync.read(bytes);
    expect(png.width).toBeGreaterThan(300);
    expect(png.height).toBeGreaterThan(300);
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toMatch(/## Confusion matrix[\s\S]*confusion matrix at IoU 0\.5[\s\S]*!\[Confusion matrix\]\(confusion\.png\)/);
  });

  it('takes the confusion thresholds from --conf-iou and --conf-score', async () => {
    const out = join(dir, 'report-conf');
    const err = quiet();
    expect(await run(['--gt', join(dir, 'gt.json'), '--dt', join(dir, 'dt.json'), '--report', out, '--conf-iou', '0.3', '--conf-score', '0.1'], err)).toBe(0);
    expect(err.stderr).toContain('confusion matrix at IoU 0.3, score ≥ 0.1 (rows: predicted, columns: true)');
    const { confusion } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ImbalanceReport;
    expect([confusion.iouThreshold, confusion.scoreThreshold]).toEqual([0.3, 0.1]);
    // The rare detection at 0.2 now counts: it matches image 1's rare box.
    expect(confusion.matrix.map((row) => row[1])).toEqual([0, 1, 0, 0, 0, 2]);
  });

  it('exits 2 with one line on a --conf-iou outside (0, 1]', async () => {
    const err = quiet();
    expect(await run(['--gt', join(dir, 'gt.json'), '--dt', join(dir, 'dt.json'), '--report', join(dir, 'never'), '--conf-iou', '1.5'], err)).toBe(2);
    expect(err.stderr).toEqual(['retina-eval: --conf-iou must be in (0, 1] (got 1.5)']);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('uses --score-threshold for the operating point', async () => {
    const out = join(dir, 'report-0.25');
    expect(await run(['--gt', join(dir, 'gt.json'), '--dt', join(dir, 'dt.json'), '--report', out, '--score-threshold', '0.25'], quiet())).toBe(0);
    const at = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ImbalanceReport).classes[0].atThreshold;
    // common at 0.25: all four detections, TP 3, FP 1.
    expect(at).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, tp: 3, fp: 1, fn: 1 });
  });

  it('exits 2 with one line when the report directory cannot be created', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const err = quiet();
    expect(await run(['--gt', join(dir, 'gt.json'), '--dt', join(dir, 'dt.json'), '--report', join(dir, 'a-file', 'report')], err)).toBe(2);
    expect(err.stderr[err.stderr.length - 1]).toMatch(/^retina-eval: .*a-file\/report: cannot create the report directory \(ENOTDIR/);
  });
});
