/**
 * coco-eval at COCO-val scale: 5,000 images, 80 categories, ~35k ground-truth boxes, 500k
 * detections (100 per image: jittered copies of the ground truth plus clutter, scores rounded to
 * 3 decimals so that ties occur). Times loading (GT JSON + streamed results) and each stage of
 * the evaluation. Target: evaluate ≤ 3 s.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  accumulate,
  evaluateBbox,
  evaluateImages,
  loadGroundTruthFile,
  loadResultsFile,
  prepareInputs,
  summarize,
  type CocoAnnotation,
  type CocoGroundTruth,
  type CocoResult,
} from '@retina/coco-eval';

const NUM_IMAGES = 5000;
const NUM_CATEGORIES = 80;
const GT_PER_IMAGE = 7;
const DT_PER_IMAGE = 100;
const WIDTH = 640;
const HEIGHT = 480;
const EVALUATE_TARGET_S = 3;

const rng = xoroshiro128plus(2024);
const uniform = (): number => (rng.next() >>> 0) / 2 ** 32;
const pick = (n: number): number => Math.floor(uniform() * n);
const round2 = (v: number): number => Math.round(v * 100) / 100;

function randomBox(): number[] {
  const size = 8 * 2 ** (uniform() * 5.5); // 8 .. ~360 px: small, medium and large
  const w = Math.min(WIDTH - 1, size * (0.5 + uniform()));
  const h = Math.min(HEIGHT - 1, size * (0.5 + uniform()));
  return [round2(uniform() * (WIDTH - w)), round2(uniform() * (HEIGHT - h)), round2(w), round2(h)];
}

function jitter(b: readonly number[]): number[] {
  const j = (v: number, scale: number): number => round2(v + (uniform() - 0.5) * 0.3 * scale);
  return [j(b[0], b[2]), j(b[1], b[3]), Math.max(1, j(b[2], b[2])), Math.max(1, j(b[3], b[3]))];
}

function generate(): { gt: CocoGroundTruth; dt: CocoResult[] } {
  const annotations: CocoAnnotation[] = [];
  const dt: CocoResult[] = [];
  const score = (): number => Math.round(uniform() * 1000) / 1000;
  for (let image = 1; image <= NUM_IMAGES; image++) {
    const own: CocoAnnotation[] = [];
    for (let g = 0; g < GT_PER_IMAGE; g++) {
      const bbox = randomBox();
      const a = { id: annotations.length + 1, image_id: image, category_id: 1 + pick(NUM_CATEGORIES), bbox, area: bbox[2] * bbox[3] * 0.8, iscrowd: uniform() < 0.01 ? 1 : 0 };
      annotations.push(a);
      own.push(a);
    }
    for (let d = 0; d < DT_PER_IMAGE; d++) {
      const source = d < 3 * GT_PER_IMAGE ? own[d % GT_PER_IMAGE] : undefined;
      const category_id = source && uniform() < 0.8 ? source.category_id : 1 + pick(NUM_CATEGORIES);
      dt.push({ image_id: image, category_id, bbox: source ? jitter(source.bbox) : randomBox(), score: score() });
    }
  }
  const images = Array.from({ length: NUM_IMAGES }, (_, i) => ({ id: i + 1, width: WIDTH, height: HEIGHT }));
  const categories = Array.from({ length: NUM_CATEGORIES }, (_, i) => ({ id: i + 1, name: `class${i + 1}` }));
  return { gt: { images, annotations, categories }, dt };
}

function seconds<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, (performance.now() - t0) / 1000];
}

async function secondsAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, (performance.now() - t0) / 1000];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coco-eval-bench-'));
  try {
    const { gt, dt } = generate();
    const gtPath = join(dir, 'gt.json');
    const dtPath = join(dir, 'dt.json');
    writeFileSync(gtPath, JSON.stringify(gt));
    writeFileSync(dtPath, JSON.stringify(dt));
    const mb = (p: string): string => (statSync(p).size / 2 ** 20).toFixed(1);
    console.log(`${NUM_IMAGES} images, ${NUM_CATEGORIES} categories, ${gt.annotations.length} GT (${mb(gtPath)} MiB), ${dt.length} detections (${mb(dtPath)} MiB)`);

    const [truth, loadGt] = await secondsAsync(() => loadGroundTruthFile(gtPath));
    const [columns, loadDt] = await secondsAsync(() => loadResultsFile(dtPath));
    const [, parseWhole] = seconds(() => JSON.parse(readFileSync(dtPath, 'utf8')));
    const [prepared, prepare] = seconds(() => prepareInputs(truth, columns));
    const [evaluation, evaluate] = seconds(() => evaluateImages(prepared));
    const [acc, accumulateS] = seconds(() => accumulate(evaluation));
    const [stats, summarizeS] = seconds(() => summarize(acc));
    const [full, total] = seconds(() => evaluateBbox(truth, columns));
    if (full.stats.some((s, i) => s !== stats[i])) throw new Error('evaluateBbox and the stages disagree');

    const rows: [string, number, string][] = [
      ['load GT (readFile + JSON.parse)', loadGt, ''],
      ['load results (streamed)', loadDt, ''],
      ['  for comparison: JSON.parse whole results file', parseWhole, ''],
      ['prepare (validate + index)', prepare, ''],
      ['evaluate (per-image matching)', evaluate, ''],
      ['accumulate (PR arrays)', accumulateS, ''],
      ['summarize', summarizeS, ''],
      ['evaluateBbox total (all outputs)', total, `<= ${EVALUATE_TARGET_S} s ${total <= EVALUATE_TARGET_S ? 'OK' : 'MISSED'}`],
    ];
    console.log('stage'.padEnd(50) + 'seconds'.padStart(9) + '  target');
    for (const [name, s, target] of rows) console.log(name.padEnd(50) + s.toFixed(3).padStart(9) + '  ' + target);
    console.log(`AP ${stats[0].toFixed(3)}  AP50 ${stats[1].toFixed(3)}  AR100 ${stats[8].toFixed(3)}`);
    if (total > EVALUATE_TARGET_S) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
