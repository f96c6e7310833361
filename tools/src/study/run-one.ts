/**
 * One run of the study: retina-train (validating on the held-out split for the curve), retina-eval
 * of the final model on the held-out split, and the run's numbers in result.json. result.json is
 * written last and atomically, so a run is either done (result.json present) or redone from scratch.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@retina/engine/node';
import { loadResultsFile, type CocoGroundTruth } from '@retina/coco-eval';
import { evalArgs, runIterations, studyPaths, trainArgs, type StudyConfig, type StudyRun } from './config';
import { StudyError } from './errors';
import { classAt50, parseEvalFile, runMetrics, validationCurve, type RunMetrics } from './results';
import type { CurvePoint, PrPoints } from './stats';
import type { CliRunner } from './runner';

/** The content of a run's result.json. */
export interface RunResult {
  readonly id: string;
  readonly share: number;
  readonly lossId: string;
  readonly seed: number;
  /** 1, or 2 for a budget check (twice the steps); absent in results written before budget checks. */
  readonly budget?: 1 | 2;
  readonly iterations: number;
  /** sha256 of the training and held-out annotation files the run used (merged runs must agree). */
  readonly dataHash: string;
  readonly metrics: RunMetrics;
  /** The rare class's interpolated PR curve at IoU 0.5 (101 recall points). */
  readonly rarePr: PrPoints;
  /** Validation AP during training. */
  readonly curve: readonly CurvePoint[];
  readonly trainArgs: readonly string[];
  readonly evalArgs: readonly string[];
  /** Wall-clock seconds of the retina-train and retina-eval processes. */
  readonly seconds: { readonly train: number; readonly eval: number };
}

/** What scoring a run needs from its dataset. */
export interface RunScoring {
  readonly valGt: CocoGroundTruth;
  readonly rareId: number;
  readonly dataHash: string;
}

const RESULT = 'result.json';
const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

/**
 * The run's finished result, or null when it has not finished. A result made with other settings
 * (command lines or data) is an error: the study never mixes runs of two designs.
 * @throws StudyError naming result.json and what differs
 */
export async function finishedRun(config: StudyConfig, run: StudyRun, dataHash: string | null): Promise<RunResult | null> {
  const path = join(studyPaths(config.out).run(run), RESULT);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  let r: RunResult;
  try {
    r = JSON.parse(text) as RunResult;
  } catch (e) {
    throw new StudyError(`${path}: not JSON (${(e as Error).message}); delete it to redo the run`);
  }
  // Paths are compared below the output root, so runs made under another --out (a shard's) merge.
  const portable = (args: readonly string[] | undefined, out: string): string => JSON.stringify((args ?? []).map((a) => (a.startsWith(out) ? `$OUT${a.slice(out.length)}` : a)));
  const storedOut = r.trainArgs?.[r.trainArgs.indexOf('--out') + 1]?.slice(0, -(run.id.length + '/runs/'.length)) ?? '';
  if (portable(r.trainArgs, storedOut) !== portable(trainArgs(config, run), config.out)) {
    throw new StudyError(`${path}: made with other settings than this study's (retina-train ${r.trainArgs?.join(' ')}); use another --out`);
  }
  if (dataHash !== null && r.dataHash !== dataHash) throw new StudyError(`${path}: trained on other data (sha256 ${r.dataHash}, this study's ${dataHash}); use another --out`);
  return r;
}

/** Trains and scores one run from scratch (its folder is cleared first) and writes result.json. */
export async function trainAndScore(config: StudyConfig, run: StudyRun, scoring: RunScoring, runner: CliRunner): Promise<RunResult> {
  const dir = studyPaths(config.out).run(run);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const train = trainArgs(config, run);
  const evaluate = evalArgs(config, run);
  let t0 = performance.now();
  await runner({ cli: 'retina-train', args: train, log: join(dir, 'train.log') });
  const trainSeconds = seconds(t0);
  t0 = performance.now();
  await runner({ cli: 'retina-eval', args: evaluate, log: join(dir, 'eval.log') });
  const evalSeconds = seconds(t0);

  const evalPath = join(dir, 'eval.json');
  const evalFile = parseEvalFile(await readOrFail(evalPath, 'retina-eval wrote no --json file'), evalPath);
  const rare = classAt50(scoring.valGt, await loadResultsFile(join(dir, 'dt.json')), scoring.rareId);
  const metricsPath = join(dir, 'metrics.jsonl');
  const result: RunResult = {
    id: run.id,
    share: run.share,
    lossId: run.loss.id,
    seed: run.seed,
    budget: run.budget,
    iterations: runIterations(config, run),
    dataHash: scoring.dataHash,
    metrics: runMetrics(evalFile, scoring.rareId, rare.recall, evalPath),
    rarePr: rare.pr,
    curve: validationCurve(await readOrFail(metricsPath, 'retina-train wrote no metrics'), metricsPath),
    trainArgs: train,
    evalArgs: evaluate,
    seconds: { train: trainSeconds, eval: evalSeconds },
  };
  await writeFileAtomic(join(dir, RESULT), `${JSON.stringify(result)}\n`);
  return result;
}

async function readOrFail(path: string, why: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new StudyError(`${path}: missing (${why})`);
  }
}
