/**
 * The focal-vs-CE study's configuration: the synthetic dataset, the model and optimiser settings
 * shared by every run, and the three classification losses compared. Every command line the study
 * spawns is derived here, in one place, from one `StudyConfig`.
 */
import { join } from 'node:path';
import type { EngineName } from '@retina/engine';

/** retina-train's and retina-eval's `--backend` values (a type-only import keeps tfjs out of this CLI). */
export const STUDY_BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const satisfies readonly ('auto' | EngineName)[];
export type StudyBackend = (typeof STUDY_BACKENDS)[number];

/** The synthetic dataset (see `generateDataset`): square images, the last class rare. */
export interface StudyDatasetConfig {
  /** Images in all, training + held-out split. Default 1200. */
  readonly images: number;
  /** Image side in px; also the network input (shorter side and cap), padded to 128. Default 128. */
  readonly size: number;
  /** Shape classes; the last one is the rare one. Default 3. */
  readonly classes: number;
  /** Fraction of objects that belong to the rare class. Default 0.02. */
  readonly rareClassFraction: number;
  /** Fraction of images held out for evaluation. Default 1/3 (enough rare objects to score). */
  readonly valFraction: number;
  /** Objects per image: 1..maxObjects. Default 6. */
  readonly maxObjects: number;
}

/** Model and optimiser settings, identical for the three runs (retina-train flag values). */
export interface StudyModelConfig {
  /** Stem width of the narrow backbone. Default 16. */
  readonly width: number;
  readonly fpnChannels: number;
  readonly headConvs: number;
  readonly headChannels: number;
  readonly batchSize: number;
  /**
   * The trainer's recipe for the study's runs. Default: the recipe the published study used — SGD
   * with momentum and frozen BN (retina-train's defaults before batch-statistics BN and AdamW) — so
   * that its numbers reproduce; the redesigned study (issue: focal-loss study) moves to 'adamw' + 'bn'.
   */
  readonly optimizer: 'sgd' | 'adamw';
  readonly norm: 'bn' | 'gn' | 'frozen-bn';
  /** Peak learning rate (cosine schedule after a linear warmup). */
  readonly lr: number;
  /** Warmup steps, capped at a quarter of the run for tiny budgets. */
  readonly warmupIters: number;
}

/**
 * The budget of each run. Either a step count, or seconds of training per run, which a short
 * calibration run turns into a step count (so the three runs still do the same steps).
 */
export type StudyBudget = { readonly iterations: number } | { readonly timeLimit: number };

export interface StudyConfig {
  /** Output root: data/, runs/<loss>/, study.json, study.md, study.png. */
  readonly out: string;
  /** Seeds the dataset and every run (initialisation, shuffling, flips). */
  readonly seed: number;
  readonly backend: StudyBackend;
  readonly budget: StudyBudget;
  readonly dataset: StudyDatasetConfig;
  readonly model: StudyModelConfig;
}

export const DEFAULT_DATASET: StudyDatasetConfig = { images: 1200, size: 128, classes: 3, rareClassFraction: 0.02, valFraction: 1 / 3, maxObjects: 6 };
export const DEFAULT_MODEL: StudyModelConfig = { width: 16, fpnChannels: 32, headConvs: 2, headChannels: 32, batchSize: 4, optimizer: 'sgd', norm: 'frozen-bn', lr: 0.01, warmupIters: 50 };
export const DEFAULT_ITERATIONS = 800;

/** One classification loss of the study, with the retina-train flags that select it. */
export interface LossRun {
  /** Also the run's folder name under runs/. */
  readonly id: 'ce' | 'balanced-ce' | 'focal';
  /** Row label in the table and legend of the chart. */
  readonly label: string;
  readonly loss: { readonly kind: LossRun['id']; readonly alpha?: number; readonly gamma?: number };
}

/** Plain CE, alpha-balanced CE and focal loss, as in Table 1 of the RetinaNet paper. */
export const LOSS_RUNS: readonly LossRun[] = [
  { id: 'ce', label: 'CE', loss: { kind: 'ce' } },
  { id: 'balanced-ce', label: 'α-balanced CE (α = 0.25)', loss: { kind: 'balanced-ce', alpha: 0.25 } },
  { id: 'focal', label: 'focal (γ = 2, α = 0.25)', loss: { kind: 'focal', alpha: 0.25, gamma: 2 } },
];

/** Where the study reads and writes, under `out`. */
export interface StudyPaths {
  readonly data: string;
  readonly images: string;
  readonly trainAnn: string;
  readonly valAnn: string;
  readonly calibration: string;
  readonly studyJson: string;
  readonly studyMd: string;
  readonly studyPng: string;
  /** runs/<id>: the retina-train run directory, plus train.log, eval.log, dt.json and eval.json. */
  readonly run: (id: string) => string;
}

export function studyPaths(out: string): StudyPaths {
  const data = join(out, 'data');
  return {
    data,
    images: join(data, 'images'),
    trainAnn: join(data, 'annotations', 'instances_train.json'),
    valAnn: join(data, 'annotations', 'instances_val.json'),
    calibration: join(out, 'calibration'),
    studyJson: join(out, 'study.json'),
    studyMd: join(out, 'study.md'),
    studyPng: join(out, 'study.png'),
    run: (id) => join(out, 'runs', id),
  };
}

/** Steps of the calibration run that turns `--time-limit` into a step count. */
export const CALIBRATION_ITERATIONS = 10;

/**
 * retina-train's command line for one run: every model, optimiser and input setting is given
 * explicitly, so the runs differ in the loss flags only (and do not drift with retina-train's
 * defaults). No validation during training; the held-out split is scored afterwards.
 */
export function trainArgs(config: StudyConfig, run: LossRun, iterations: number, runDir: string): string[] {
  const { model: m, dataset: d } = config;
  const paths = studyPaths(config.out);
  const loss = run.loss;
  return [
    '--train-ann', paths.trainAnn, '--train-images', paths.images, '--out', runDir,
    '--backbone', 'narrow', '--width', String(m.width), '--fpn-channels', String(m.fpnChannels),
    '--head-convs', String(m.headConvs), '--head-channels', String(m.headChannels),
    '--loss', loss.kind,
    ...(loss.alpha !== undefined ? ['--alpha', String(loss.alpha)] : []),
    ...(loss.gamma !== undefined ? ['--gamma', String(loss.gamma)] : []),
    '--iterations', String(iterations), '--batch-size', String(m.batchSize), '--optimizer', m.optimizer, '--norm', m.norm, '--lr', String(m.lr),
    '--schedule', 'cosine', '--warmup-iters', String(Math.min(m.warmupIters, Math.floor(iterations / 4))),
    '--image-size', String(d.size), '--max-size', String(d.size),
    '--seed', String(config.seed), '--backend', config.backend, '--quiet',
  ];
}

/** retina-eval's command line: the run's model on the held-out split, at the training input size. */
export function evalArgs(config: StudyConfig, runDir: string): string[] {
  const paths = studyPaths(config.out);
  const size = String(config.dataset.size);
  return [
    '--model', join(runDir, 'model'), '--ann', paths.valAnn, '--images', paths.images,
    '--image-size', size, '--max-size', size, '--backend', config.backend, '--quiet',
    '--out', join(runDir, 'dt.json'), '--json', join(runDir, 'eval.json'),
  ];
}

/** The study command that reproduces a result: the budget as a step count, non-default dataset flags. */
export function reproduceCommand(config: StudyConfig, iterations: number): string {
  const d = config.dataset;
  const extra = [
    d.images !== DEFAULT_DATASET.images ? `--images ${d.images}` : '',
    d.size !== DEFAULT_DATASET.size ? `--size ${d.size}` : '',
    d.rareClassFraction !== DEFAULT_DATASET.rareClassFraction ? `--rare-class-fraction ${d.rareClassFraction}` : '',
  ].filter(Boolean);
  return ['node tools/dist/cli.js study-loss', `--out ${config.out}`, `--iterations ${iterations}`, `--seed ${config.seed}`, `--backend ${config.backend}`, ...extra].join(' ');
}
