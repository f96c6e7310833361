import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImbalanceReport, confusionMatrix, evaluateBbox, imbalanceMarkdown, type ImbalanceReport } from '@retina/coco-eval';
import { PNG } from 'pngjs';
import { run } from './cli';
import type { ConfusionJson } from './confusion-files';
import type { CliIo } from './io';

/**
 * The hand-made case of @retina/coco-eval's imbalance spec (fixtures/imbalance), which works its
 * numbers out by hand (categories common, rare, tiny, noisy, ghost; tiny, noisy and rare are missed).
 * Here it is the CLI's input: these specs check that `--report` writes what the library computes, and the files.
 */
const CASE = join(__dirname, '../../../fixtures/imbalance');
const GT = join(CASE, 'gt.json');
const DT = join(CASE, 'dt.json');
const gt = JSON.parse(readFileSync(GT, 'utf8'));
const dt = JSON.parse(readFileSync(DT, 'utf8'));

const quiet = (): CliIo & { stderr: string[] } => {
  const stderr: string[] = [];
  return { stderr, out: () => undefined, err: (l) => stderr.push(l) };
};

let dir: string;
let report: ImbalanceReport;
let io: ReturnType<typeof quiet>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-eval-report-'));
  io = quiet();
  expect(await run(['--gt', GT, '--dt', DT, '--report', join(dir, 'report')], io)).toBe(0);
  report = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retina-eval --report (class-imbalance report)', () => {
  it('writes report.json: the report the library builds from the same inputs and thresholds', () => {
    const sources = { groundTruth: GT, detections: DT };
    const plots = { apVsFrequency: 'ap-vs-frequency.png', prCurves: 'pr-curves.png', perClassPr: ['pr-1-common.png', 'pr-2-rare.png', 'pr-3-tiny.png', 'pr-4-noisy.png'], confusion: 'confusion.png' };
    const expected = buildImbalanceReport(evaluateBbox(gt, dt, { scoreThreshold: 0.5 }), sources, plots, confusionMatrix(gt, dt, { iouThreshold: 0.5, scoreThreshold: 0.25 }));
    expect(report).toEqual(JSON.parse(JSON.stringify(expected)));
    expect([report.scoreThreshold, report.missed]).toEqual([0.5, [3, 4, 2]]);
  });

  it('names the missed categories on stderr, rarest first', () => {
    expect(io.stderr.join('\n')).toMatch(/wrote the class-imbalance report to .*report \(missed: tiny, noisy, rare\)/);
  });

  it('writes report.md: the markdown of report.json', () => {
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toBe(imbalanceMarkdown(report));
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
    expect(await run(['--gt', GT, '--dt', DT, '--report', out, '--conf-iou', '0.3', '--conf-score', '0.1'], err)).toBe(0);
    expect(err.stderr).toContain('confusion matrix at IoU 0.3, score ≥ 0.1 (rows: predicted, columns: true)');
    const { confusion } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ImbalanceReport;
    expect([confusion.iouThreshold, confusion.scoreThreshold]).toEqual([0.3, 0.1]);
    // The rare detection at 0.2 now counts: it matches image 1's rare box.
    expect(confusion.matrix.map((row) => row[1])).toEqual([0, 1, 0, 0, 0, 2]);
  });

  it('exits 2 with one line on a --conf-iou outside (0, 1]', async () => {
    const err = quiet();
    expect(await run(['--gt', GT, '--dt', DT, '--report', join(dir, 'never'), '--conf-iou', '1.5'], err)).toBe(2);
    expect(err.stderr).toEqual(['retina-eval: --conf-iou must be in (0, 1] (got 1.5)']);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('uses --score-threshold for the operating point', async () => {
    const out = join(dir, 'report-0.25');
    expect(await run(['--gt', GT, '--dt', DT, '--report', out, '--score-threshold', '0.25'], quiet())).toBe(0);
    const at = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ImbalanceReport).classes[0].atThreshold;
    // common at 0.25: all four detections, TP 3, FP 1.
    expect(at).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, tp: 3, fp: 1, fn: 1 });
  });

  it('exits 2 with one line when the report directory cannot be created', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const err = quiet();
    expect(await run(['--gt', GT, '--dt', DT, '--report', join(dir, 'a-file', 'report')], err)).toBe(2);
    expect(err.stderr[err.stderr.length - 1]).toMatch(/^retina-eval: .*a-file\/report: cannot create the report directory \(ENOTDIR/);
  });
});
