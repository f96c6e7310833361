/**
 * coco-eval at COCO-val scale: 5,000 images, 80 categories, ~35k ground-truth boxes, 500k
 * detections (100 per image: jittered copies of the ground truth plus clutter, scores rounded to
 * 3 decimals so that ties occur). Times loading (GT JSON + streamed results) and each stage of
 * the evaluation. Target: evaluate ≤ 3 s.
 *
 * First, the same loaders and `evaluateBbox` run on every golden case of fixtures/golden/eval: the
 * 12 stats and the per-class AP must match the reference evaluator (pycocotools COCOeval) to 1e-9,
 * as in golden.spec.ts, or the bench fails.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
/** The reference evaluator's numbers (pycocotools COCOeval) and golden.spec.ts's tolerance on them. */
const GOLDEN = join(__dirname, '../fixtures/golden/eval');
const GOLDEN_TOLERANCE = 1e-9;

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

interface GoldenExpected {
  readonly stats: number[];
  readonly per_class_ap: Record<string, number>;
}

/**
 * Every golden case through the loaders and `evaluateBbox` the bench times; prints the largest
 * difference from the reference per case.
 * @returns the cases whose stats or per-class AP differ from the reference by more than the tolerance
 */
async function checkGoldenCases(): Promise<string[]> {
  const names = readdirSync(GOLDEN).sort();
  const failed = names.length > 0 ? [] : [`(no case under ${GOLDEN})`];
  for (const name of names) {
    const expected = JSON.parse(readFileSync(join(GOLDEN, name, 'expected.json'), 'utf8')) as GoldenExpected;
    const gt = await loadGroundTruthFile(join(GOLDEN, name, 'gt.json'));
    const { stats, perClass } = evaluateBbox(gt, await loadResultsFile(join(GOLDEN, name, 'dt.json')));
    // A missing stat or category gives NaN, which fails the comparison.
    const diffs = [
      ...expected.stats.map((v, i) => Math.abs(v - stats[i])),
      ...perClass.map((c) => Math.abs(c.ap - expected.per_class_ap[String(c.categoryId)])),
    ];
    const sameClasses = perClass.length === Object.keys(expected.per_class_ap).length;
    const worst = Math.max(...diffs);
    const ok = sameClasses && worst <= GOLDEN_TOLERANCE;
    if (!ok) failed.push(name);
    console.log(`golden ${name.padEnd(18)} 12 stats + ${String(perClass.length).padStart(2)} per-class AP, max |Δ| vs reference ${worst.toExponential(1).padStart(8)}  ${ok ? 'OK' : 'MISMATCH'}`);
  }
  return failed;
}

async function main(): Promise<void> {
  const goldenFailures = await checkGoldenCases();
  if (goldenFailures.length > 0) {
    console.error(`coco-eval differs from the reference evaluator beyond ${GOLDEN_TOLERANCE} on: ${goldenFailures.join(', ')}`);
    process.exitCode = 1;
  }

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
    const [, total] = seconds(() => evaluateBbox(truth, columns));

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
