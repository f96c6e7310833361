/**
 * The focal-loss study (RetinaNet paper, Table 1, in miniature):
 *
 *   for each rare-class share: generate the dataset (fixed seed) and measure its anchor coverage
 *   → for each (share, loss, seed) not yet done: retina-train → retina-eval → result.json
 *   → when every run of the plan is done: the tables (mean ± sd over seeds), charts and study.md.
 *
 * Resumable: a run with a result.json is not run again, so a stopped study continues where it was.
 * Parallel: `jobs` runs at once in this process; `shard` takes every count-th run, so that shards
 * on several machines can share the work; `reportOnly` merges the runs/ folders they copy together.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CocoOptionError, loadCocoDataset, mapConcurrent } from '@retina/coco';
import { loadGroundTruthFile } from '@retina/coco-eval';
import { writeFileAtomic } from '@retina/engine/node';
import { analyzeAnchors } from '../anchors/analysis';
import type { CliIo } from '../commands/io';
import { generateDataset } from '../generate/dataset';
import { planRuns, shardRuns, shareTag, studyPaths, type StudyConfig, type StudyRun } from './config';
import { StudyError } from './errors';
import { buildReport, writeStudy, type DatasetSummary, type StudyReport } from './report';
import { rareCategory } from './results';
import { finishedRun, trainAndScore, type RunResult, type RunScoring } from './run-one';
import type { CliRunner } from './runner';

export interface StudyOptions {
  /** Runs in flight at once (each a retina-train then a retina-eval process). Default 1. */
  readonly jobs?: number;
  /** Take only runs i, i + count, …: 0-based index. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Train nothing: build the report from the runs found (every run of the plan must be done). */
  readonly reportOnly?: boolean;
  /** Take only the runs whose id matches (e.g. /x2$/ for the budget checks). */
  readonly only?: RegExp;
}

/** What a call did: the report when the plan is complete, else the runs still missing. */
export type StudyOutcome = { readonly complete: true; readonly report: StudyReport } | { readonly complete: false; readonly missing: readonly string[] };

/**
 * Runs what is left of the study (or of its shard) and, when every run of the plan is done, writes
 * study.json, study.md and the charts under `config.out`.
 * @throws CocoOptionError on a bad option; StudyError / StudyChildError when a run fails
 */
export async function runStudy(config: StudyConfig, runner: CliRunner, io: CliIo, options: StudyOptions = {}): Promise<StudyOutcome> {
  checkConfig(config, options);
  const other = config.compare === undefined ? undefined : await readOtherStudy(config.compare);
  const started = performance.now();
  const plan = planRuns(config);
  const datasets = new Map<number, DatasetSummary & RunScoring>();
  for (const share of config.shares) datasets.set(share, await prepareDataset(config, share, io, options.reportOnly === true));

  const mine = shardRuns(plan, options.shard).filter((r) => options.only === undefined || options.only.test(r.id));
  if (!options.reportOnly) {
    const todo: StudyRun[] = [];
    for (const run of mine) if ((await finishedRun(config, run, datasets.get(run.share)!.dataHash)) === null) todo.push(run);
    const shardText = options.shard ? ` (shard ${options.shard.index + 1}/${options.shard.count})` : '';
    io.stdout(`plan: ${plan.length} runs; ${mine.length - todo.length} of this call's ${mine.length}${shardText} already done, ${todo.length} to run, ${options.jobs ?? 1} at a time\n`);
    let done = 0;
    await mapConcurrent(todo, options.jobs ?? 1, async (run) => {
      const r = await trainAndScore(config, run, datasets.get(run.share)!, runner);
      done++;
      const m = r.metrics;
      io.stdout(`[${done}/${todo.length}] ${run.id}: AP ${m.ap.toFixed(3)}, rare AP ${m.rareAp === -1 ? '–' : m.rareAp.toFixed(3)} (train ${r.seconds.train} s, eval ${r.seconds.eval} s)\n`);
    });
  }

  const results: RunResult[] = [];
  const missing: string[] = [];
  for (const run of plan) {
    const r = await finishedRun(config, run, datasets.get(run.share)!.dataHash);
    if (r === null) missing.push(run.id);
    else results.push(r);
  }
  if (missing.length > 0) {
    if (options.reportOnly) throw new StudyError(`${missing.length} of ${plan.length} runs are not done (first: ${studyPaths(config.out).run(plan.find((r) => r.id === missing[0])!)}); run the missing shards first`);
    io.stdout(`${plan.length - missing.length} of ${plan.length} runs done; the report is written when all are (run the other shards, copy their runs/ here, then --report)\n`);
    return { complete: false, missing };
  }
  const report = buildReport(config, [...datasets.values()], results, seconds(started), other);
  await writeStudy(config, report);
  const p = studyPaths(config.out);
  io.stdout(`wrote ${p.studyJson}, ${p.studyMd} and the charts (${report.wallSeconds} s this call; runs took ${report.runSeconds} s in all)\n`);
  return { complete: true, report };
}

/**
 * The report of the study to compare with (`--compare DIR`): DIR/study.json, which must be a finished
 * study of this kind.
 * @throws StudyError naming the file when it is missing or not such a report
 */
export async function readOtherStudy(dir: string): Promise<{ report: StudyReport; source: string }> {
  const file = studyPaths(dir).studyJson;
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new StudyError(`${file}: cannot read the study to compare with (${e.code ?? e.message}); --compare takes another study's --out folder`);
  });
  let doc: Partial<StudyReport> | null;
  try {
    doc = JSON.parse(text) as Partial<StudyReport> | null;
  } catch (e) {
    throw new StudyError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (doc?.study !== 'focal-vs-ce' || doc.version !== 2 || !Array.isArray(doc.shares) || typeof doc.config?.iterations !== 'number') {
    throw new StudyError(`${file}: not a finished study-loss report (expected study "focal-vs-ce", version 2, shares and config.iterations)`);
  }
  return { report: doc as StudyReport, source: dir };
}

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

/** sha256 over the training and held-out annotation files. */
async function dataHash(config: StudyConfig, share: number): Promise<string> {
  const p = studyPaths(config.out);
  const hash = createHash('sha256');
  for (const file of [p.trainAnn(share), p.valAnn(share)]) hash.update(await readFile(file));
  return hash.digest('hex');
}

/**
 * The dataset of one share: generated unless data/<share>/dataset.json says it was made with the same
 * settings (the generator is deterministic, so every shard makes the same files); then its summary.
 */
async function prepareDataset(config: StudyConfig, share: number, io: CliIo, reportOnly: boolean): Promise<DatasetSummary & RunScoring> {
  const p = studyPaths(config.out);
  const d = config.dataset;
  const settings = { images: d.images, size: d.size, seed: d.seed, classes: d.classes, rareClassFraction: share, valFraction: d.valFraction, maxObjects: d.maxObjects, minObject: d.minObject, maxObject: d.maxObject };
  const marker = join(p.data(share), 'dataset.json');
  const existing = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as { settings: unknown }, () => null);
  if (existing === null || JSON.stringify(existing.settings) !== JSON.stringify(settings)) {
    if (reportOnly) throw new StudyError(`${marker}: missing or made with other settings; --report needs the study's data`);
    await rm(p.data(share), { recursive: true, force: true });
    await generateDataset({ out: p.data(share), ...settings });
    await writeFileAtomic(marker, `${JSON.stringify({ settings }, null, 2)}\n`);
  }
  const valGt = await loadGroundTruthFile(p.valAnn(share));
  const train = JSON.parse(await readFile(p.trainAnn(share), 'utf8')) as typeof valGt;
  const rare = rareCategory(train, p.trainAnn(share));
  const valRare = valGt.annotations.filter((a) => a.category_id === rare.id && !a.iscrowd).length;
  const coverage = await anchorCoverage(config, share, rare.id);
  const summary: DatasetSummary & RunScoring = {
    share,
    tag: shareTag(share),
    train: { images: train.images.length, objects: train.annotations.length, rare: rare.count },
    val: { images: valGt.images.length, objects: valGt.annotations.length, rare: valRare },
    rareName: rare.name,
    anchorCoverage: coverage,
    valGt,
    rareId: rare.id,
    dataHash: await dataHash(config, share),
  };
  io.stdout(
    `data ${summary.tag}: ${summary.train.images} train / ${summary.val.images} held-out images; rare "${rare.name}" ${rare.count} train / ${valRare} held-out objects; ` +
      `anchors reach IoU ≥ 0.5 for ${(100 * coverage.all).toFixed(1)}% of training boxes (${(100 * coverage.rare).toFixed(1)}% of rare ones)\n`,
  );
  if (valRare === 0) io.stdout(`warning: no rare objects in ${summary.tag}'s held-out split: its rare-class numbers are undefined (–); use more --images\n`);
  return summary;
}

/** Share of training boxes (all, and the rare class's) whose best anchor reaches IoU 0.5 at the study's input size. */
async function anchorCoverage(config: StudyConfig, share: number, rareId: number): Promise<{ all: number; rare: number }> {
  const p = studyPaths(config.out);
  const m = config.model;
  const strides = Array.from({ length: m.maxLevel - m.minLevel + 1 }, (_, i) => 2 ** (m.minLevel + i));
  const options = { anchors: { strides, sizes: [...m.anchorSizes] }, resize: { imageSize: config.dataset.size, maxSize: config.dataset.size } };
  // one read of the annotation file serves both analyses: all boxes, then the rare class's alone
  const { images } = await loadCocoDataset(p.trainAnn(share), p.images(share), { checkFiles: false, keepSegmentation: false });
  const rareImages = images.map((image) => ({ ...image, annotations: image.annotations.filter((a) => a.categoryId === rareId) }));
  return {
    all: analyzeAnchors(images, options).coverage.overall.share50 ?? 0,
    rare: analyzeAnchors(rareImages, options).coverage.overall.share50 ?? 0,
  };
}

function checkConfig(c: StudyConfig, o: StudyOptions): void {
  const int = (name: string, v: number, lo: number): void => {
    if (!Number.isInteger(v) || v < lo) throw new CocoOptionError(name, `must be an integer ≥ ${lo} (got ${v})`);
  };
  int('iterations', c.iterations, 1);
  int('seeds', c.seeds, 1);
  int('evalEvery', c.evalEvery, 1);
  int('jobs', o.jobs ?? 1, 1);
  int('threads', c.threads, 0);
  if (o.shard && !(Number.isInteger(o.shard.count) && o.shard.count >= 1 && Number.isInteger(o.shard.index) && o.shard.index >= 0 && o.shard.index < o.shard.count)) {
    throw new CocoOptionError('shard', `must be i/n with 1 ≤ i ≤ n (got ${o.shard.index + 1}/${o.shard.count})`);
  }
  if (c.shares.length === 0 || !c.shares.every((s) => s > 0 && s < 1)) throw new CocoOptionError('shares', `must be fractions in (0, 1) (got ${c.shares.join(' ')})`);
  if (new Set(c.shares.map(shareTag)).size !== c.shares.length) throw new CocoOptionError('shares', `must differ (got ${c.shares.join(' ')})`);
  for (const [name, list] of [['sweepShares', c.sweepShares], ['budgetCheckShares', c.budgetCheckShares]] as const) {
    const stray = list.find((s) => !c.shares.includes(s));
    if (stray !== undefined) throw new CocoOptionError(name, `${stray} is not one of --shares ${c.shares.join(' ')}`);
  }
  const valImages = Math.round(c.dataset.images * c.dataset.valFraction);
  if (valImages < 1 || c.dataset.images - valImages < c.model.batchSize) {
    throw new CocoOptionError('images', `${c.dataset.images} images leave ${valImages} held-out and ${c.dataset.images - valImages} training images; need ≥ 1 and ≥ ${c.model.batchSize} (the batch size)`);
  }
}
