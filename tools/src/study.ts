/**
 * The focal-vs-CE study (RetinaNet paper, Table 1, in miniature): a synthetic dataset with one rare
 * class; three runs that differ only in the classification loss (CE, α-balanced CE, focal), each
 * with the same steps, seed and model; each scored on the held-out split; one table and one chart.
 *
 *   generate → [calibrate] → for each loss: retina-train → retina-eval → read metrics → write study.*
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CocoOptionError } from '@retina/coco';
import { loadGroundTruthFile, loadResultsFile, type CocoGroundTruth } from '@retina/coco-eval';
import type { CliIo } from './commands/io';
import { generateDataset, type GenerateSummary } from './generate-dataset';
import { CALIBRATION_ITERATIONS, LOSS_RUNS, evalArgs, reproduceCommand, studyPaths, trainArgs, type LossRun, type StudyConfig, type StudyPaths } from './study-config';
import { StudyError } from './study-error';
import { parseEvalFile, rareCategory, recallAtIou50, runMetrics, type RunMetrics } from './study-results';
import { formatMetric, writeStudy, type StudyDatasetSummary, type StudyReport, type StudyRunResult } from './study-report';
import type { CliRunner } from './study-runner';

/** Calibration steps left out of the step time (replica start-up, first allocations). */
const CALIBRATION_SKIP = 2;

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

/**
 * Runs the whole study and writes study.json, study.md and study.png under `config.out`. Removes
 * and rewrites only its own folders there (data/, runs/<loss>/, calibration/).
 * @throws CocoOptionError on a bad option; StudyError / StudyChildError when a run fails
 */
export async function runStudy(config: StudyConfig, runner: CliRunner, io: CliIo): Promise<StudyReport> {
  checkConfig(config);
  const started = performance.now();
  const paths = studyPaths(config.out);
  await Promise.all([paths.data, paths.calibration, ...LOSS_RUNS.map((r) => paths.run(r.id))].map((p) => rm(p, { recursive: true, force: true })));

  const d = config.dataset;
  const generated = await generateDataset({ out: paths.data, images: d.images, size: d.size, seed: config.seed, classes: d.classes, rareClassFraction: d.rareClassFraction, valFraction: d.valFraction, maxObjects: d.maxObjects });
  const valGt = await loadGroundTruthFile(paths.valAnn);
  const dataset = await summarizeDataset(paths, generated, valGt);
  io.stdout(`dataset: ${dataset.train.images} train / ${dataset.val.images} held-out images; rare class "${dataset.rare.name}": ${dataset.rare.count} train / ${dataset.rare.valCount} held-out objects\n`);
  if (dataset.rare.valCount === 0) io.stdout('warning: no rare objects in the held-out split, so the rare-class numbers are undefined (–); use more --images\n');

  let iterations: number;
  let secondsPerStep: number | undefined;
  if ('iterations' in config.budget) iterations = config.budget.iterations;
  else ({ iterations, secondsPerStep } = await calibrate(config, config.budget.timeLimit, runner, io));

  const runs: StudyRunResult[] = [];
  for (const [i, run] of LOSS_RUNS.entries()) {
    const tag = `[${i + 1}/${LOSS_RUNS.length}] ${run.label}`;
    runs.push(await trainAndScore(config, run, iterations, { valGt, rareId: dataset.rare.id, tag }, runner, io));
  }

  const report: StudyReport = {
    study: 'focal-vs-ce',
    command: reproduceCommand(config, iterations),
    seed: config.seed,
    backend: config.backend,
    iterations,
    budget: { requested: config.budget, ...(secondsPerStep !== undefined ? { secondsPerStep } : {}) },
    dataset: { ...d, ...dataset },
    model: config.model,
    runs,
    wallSeconds: seconds(started),
  };
  await writeStudy(paths, report);
  io.stdout(`wrote ${paths.studyJson}, ${paths.studyMd}, ${paths.studyPng} (${report.wallSeconds} s)\n`);
  return report;
}

/** One run: retina-train, then retina-eval on the held-out split, then the table's numbers. */
async function trainAndScore(
  config: StudyConfig,
  run: LossRun,
  iterations: number,
  scoring: { valGt: CocoGroundTruth; rareId: number; tag: string },
  runner: CliRunner,
  io: CliIo,
): Promise<StudyRunResult> {
  const dir = studyPaths(config.out).run(run.id);
  await mkdir(dir, { recursive: true });
  const train = trainArgs(config, run, iterations, dir);
  const evaluate = evalArgs(config, dir);
  io.stdout(`${scoring.tag}: training ${iterations} iterations → ${dir}\n`);
  let t0 = performance.now();
  await runner({ cli: 'retina-train', args: train, log: join(dir, 'train.log') });
  const trainSeconds = seconds(t0);
  t0 = performance.now();
  await runner({ cli: 'retina-eval', args: evaluate, log: join(dir, 'eval.log') });
  const evalSeconds = seconds(t0);
  const metrics = await readRunMetrics(dir, scoring.valGt, scoring.rareId);
  io.stdout(`${scoring.tag}: AP ${formatMetric(metrics.ap)}, rare AP ${formatMetric(metrics.rareAp)} (train ${trainSeconds} s, eval ${evalSeconds} s)\n`);
  return { id: run.id, label: run.label, loss: run.loss, metrics, trainArgs: train, evalArgs: evaluate, seconds: { train: trainSeconds, eval: evalSeconds } };
}

function checkConfig(c: StudyConfig): void {
  const int = (name: string, v: number, lo: number): void => {
    if (!Number.isInteger(v) || v < lo) throw new CocoOptionError(name, `must be an integer ≥ ${lo} (got ${v})`);
  };
  if ('iterations' in c.budget) int('iterations', c.budget.iterations, 1);
  else if (!(c.budget.timeLimit > 0)) throw new CocoOptionError('timeLimit', `must be > 0 seconds (got ${c.budget.timeLimit})`);
  int('seed', c.seed, 0);
  const valImages = Math.round(c.dataset.images * c.dataset.valFraction);
  if (valImages < 1 || c.dataset.images - valImages < c.model.batchSize) {
    throw new CocoOptionError('images', `${c.dataset.images} images leave ${valImages} held-out and ${c.dataset.images - valImages} training images; need ≥ 1 and ≥ ${c.model.batchSize} (the batch size)`);
  }
}

async function summarizeDataset(paths: StudyPaths, generated: GenerateSummary, valGt: CocoGroundTruth): Promise<StudyDatasetSummary> {
  const train = JSON.parse(await readFile(paths.trainAnn, 'utf8')) as CocoGroundTruth;
  const rare = rareCategory(train, paths.trainAnn);
  const valCount = valGt.annotations.filter((a) => a.category_id === rare.id && !a.iscrowd).length;
  return { train: generated.train, val: generated.val, rare: { ...rare, valCount } };
}

/** A run's table numbers from its eval.json and dt.json. */
async function readRunMetrics(dir: string, valGt: CocoGroundTruth, rareId: number): Promise<RunMetrics> {
  const evalPath = join(dir, 'eval.json');
  const evalFile = parseEvalFile(await readFile(evalPath, 'utf8').catch(() => {
    throw new StudyError(`${evalPath}: missing (retina-eval wrote no --json file)`);
  }), evalPath);
  const detections = await loadResultsFile(join(dir, 'dt.json'));
  return runMetrics(evalFile, rareId, recallAtIou50(valGt, detections, rareId), evalPath);
}

/**
 * Seconds per training step from a run's metrics.jsonl: the median over its step records
 * (`batch / imagesPerSec`), the first `skip` left out.
 * @throws StudyError when the log has no step records after the skipped ones
 */
export function secondsPerStep(metricsJsonl: string, batchSize: number, skip = CALIBRATION_SKIP): number {
  const steps = metricsJsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { kind?: string; imagesPerSec?: number })
    .filter((r) => r.kind === 'step' && typeof r.imagesPerSec === 'number' && r.imagesPerSec > 0)
    .slice(skip)
    .map((r) => batchSize / (r.imagesPerSec as number))
    .sort((a, b) => a - b);
  if (steps.length === 0) throw new StudyError(`calibration: no step records after the first ${skip} in metrics.jsonl`);
  const mid = steps.length >> 1;
  return steps.length % 2 ? steps[mid] : (steps[mid - 1] + steps[mid]) / 2;
}

/** Turns a per-run time limit into a step count: a short focal-loss run measures the step time. */
async function calibrate(config: StudyConfig, timeLimit: number, runner: CliRunner, io: CliIo): Promise<{ iterations: number; secondsPerStep: number }> {
  const dir = studyPaths(config.out).calibration;
  await mkdir(dir, { recursive: true });
  io.stdout(`calibrating: ${CALIBRATION_ITERATIONS} focal-loss steps to turn --time-limit ${timeLimit} into a step count\n`);
  await runner({ cli: 'retina-train', args: trainArgs(config, LOSS_RUNS[LOSS_RUNS.length - 1], CALIBRATION_ITERATIONS, dir), log: join(dir, 'train.log') });
  const step = secondsPerStep(await readFile(join(dir, 'metrics.jsonl'), 'utf8'), config.model.batchSize);
  const iterations = Math.max(1, Math.floor(timeLimit / step));
  io.stdout(`calibration: ${step.toFixed(3)} s per step → ${iterations} iterations per run\n`);
  return { iterations, secondsPerStep: Math.round(step * 1e4) / 1e4 };
}
