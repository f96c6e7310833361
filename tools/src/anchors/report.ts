/** The anchor analysis as a readable text table (what `retina-tools anchors` prints). */
import { basename } from 'node:path';
import type { AnchorReport } from './analysis';
import { NEGATIVE_IOU, POSITIVE_IOU, type BucketCoverage, type Coverage, type CoverageReport } from './coverage';

/** Unmatched boxes listed in the text (the JSON report has all of them). */
export const LISTED_UNMATCHED = 20;

type Row = string[];

const percent = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const decimal = (v: number | null) => (v === null ? '–' : v.toFixed(3));
const pixels = (v: number) => String(Math.round(v * 10) / 10);

/** Pads columns to equal width: the first left-aligned, the others right-aligned. */
function table(rows: Row[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const pad = (text: string, c: number) => {
    const fill = ' '.repeat(widths[c] - [...text].length);
    return c === 0 ? text + fill : fill + text;
  };
  return rows.map((r) => (r.length === 1 ? r[0] : r.map(pad).join('   ').trimEnd())).join('\n') + '\n';
}

/** One cell, with the suggested config's value after an arrow when there is one. */
function cell(format: (v: number | null) => string, before: number | null, after: number | null | undefined): string {
  return after === undefined ? format(before) : `${format(before)} → ${format(after)}`;
}

function coverageRow(label: string, before: Coverage, after?: Coverage): Row {
  return [label, String(before.boxes), cell(percent, before.share50, after?.share50), cell(percent, before.share40, after?.share40), cell(decimal, before.meanBestIou, after?.meanBestIou)];
}

function bucketRows(title: string, before: BucketCoverage[], after?: BucketCoverage[]): Row[] {
  return [[title], ...before.map((b, i) => coverageRow(`  ${b.bucket}`, b, after?.[i]))];
}

function coverageTable(before: CoverageReport, after?: CoverageReport): string {
  return table([
    ['best IoU with any anchor', 'boxes', `IoU ≥ ${POSITIVE_IOU}`, `IoU ≥ ${NEGATIVE_IOU}`, 'mean IoU'],
    coverageRow('all boxes', before.overall, after?.overall),
    ...bucketRows('COCO size (area, resized px)', before.byCocoSize, after?.byCocoSize),
    ...bucketRows('sqrt(area), resized px', before.bySqrtArea, after?.bySqrtArea),
    ...bucketRows('aspect ratio h/w', before.byAspect, after?.byAspect),
  ]);
}

function unmatchedList(r: AnchorReport): string {
  const list = r.coverage.unmatched;
  const head = `unmatched (best IoU < ${NEGATIVE_IOU}): ${list.length} of ${r.boxes} boxes${list.length ? ', worst first' : ''}\n`;
  if (list.length === 0) return head;
  const rows: Row[] = [['  image', 'annotation', 'w×h resized', 'w×h in file', 'best IoU']];
  for (const u of list.slice(0, LISTED_UNMATCHED)) {
    rows.push([`  ${u.imageId}`, String(u.annotationId), `${pixels(u.width)}×${pixels(u.height)}`, `${pixels(u.fileWidth)}×${pixels(u.fileHeight)}`, decimal(u.bestIou)]);
  }
  const more = list.length > LISTED_UNMATCHED ? `  … and ${list.length - LISTED_UNMATCHED} more (all of them in the --out JSON)\n` : '';
  return head + table(rows) + more;
}

function suggestionText(r: AnchorReport): string {
  const s = r.suggestion;
  if (!s) return '';
  const how = `k-means on 1 − IoU, seed ${s.seed}, ${s.restarts} restarts over ${s.clusteredBoxes} boxes`;
  if (s.keptInput) return `suggested (${how}): nothing covered more boxes than the given config; keep it\n`;
  const train = s.trainFlags
    ? `retina-train flags that train with it:\n  ${s.trainFlags}\n`
    : 'retina-train cannot train with it (its pyramid levels are contiguous strides, offset 0)\n';
  return `suggested (${how}); the table shows given → suggested:\n  ${s.flags}\n${train}unmatched with the suggestion: ${s.coverage.unmatched.length} of ${r.boxes} boxes\n`;
}

/** The whole report as text: header, coverage table (before → after with a suggestion), unmatched boxes. */
export function formatAnchorReport(r: AnchorReport): string {
  const source = r.annotationFile ? basename(r.annotationFile) : '(images)';
  const skipped = r.skipped.crowd + r.skipped.degenerate ? ` (left out: ${r.skipped.crowd} crowd, ${r.skipped.degenerate} degenerate after resizing)` : '';
  const header =
    `${source}: ${r.images} images, ${r.boxes} boxes${skipped}\n` +
    `resized: shorter side ${r.resize.imageSize}, longer side ≤ ${r.resize.maxSize}, padded to a multiple of ${r.resize.padMultiple}\n` +
    `anchors: ${r.flags} (${r.anchorsPerLocation} per location)\n`;
  const after = r.suggestion && !r.suggestion.keptInput ? r.suggestion.coverage : undefined;
  return [header, suggestionText(r), coverageTable(r.coverage, after), unmatchedList(r)].filter(Boolean).join('\n');
}
