/**
 * The focal-loss study's design, in one place: the synthetic datasets (one per rare-class share),
 * the model and recipe shared by every run, the losses compared, and the plan — one run per
 * (share, loss, seed) — with the retina-train and retina-eval command line of each run.
 *
 * The design follows the RetinaNet paper's Table 1 in miniature: CE, α-balanced CE at the paper's
 * best α (0.75) and focal loss at its best setting (γ = 2, α = 0.25), at several seeds, on data whose
 * objects the anchors fit; plus Table 1b's γ sweep, each γ at the α the paper found best for it.
 */
import { join } from 'node:path';
import type { EngineName } from '@retina/engine/node';

/** retina-train's and retina-eval's `--backend` values (a type-only import keeps tfjs out of this CLI). */
export const STUDY_BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const satisfies readonly ('auto' | EngineName)[];
export type StudyBackend = (typeof STUDY_BACKENDS)[number];

/** The synthetic dataset, generated once per rare-class share with the same seed (see `generateDataset`). */
export interface StudyDatasetConfig {
  /** Images in all, training + held-out split. */
  readonly images: number;
  /** Image side in px; also the network input. */
  readonly size: number;
  /** Shape classes; the last one is the rare one. */
  readonly classes: number;
  /** Fraction of images held out (validation curves and the final scores). */
  readonly valFraction: number;
  /** Objects per image: 1..maxObjects. */
  readonly maxObjects: number;
  /** Object sides, px (log-uniform between them). */
  readonly minObject: number;
  readonly maxObject: number;
  /** Seed of the generator: the data is fixed; the runs' seeds vary initialisation and order. */
  readonly seed: number;
}

/** Model, anchors and recipe: identical for every run (retina-train flag values). */
export interface StudyModelConfig {
  /** Stem width of the narrow backbone. */
  readonly width: number;
  readonly fpnChannels: number;
  readonly headConvs: number;
  readonly headChannels: number;
  /** Pyramid levels P<minLevel>..P<maxLevel> and one anchor base size per level (px). */
  readonly minLevel: number;
  readonly maxLevel: number;
  readonly anchorSizes: readonly number[];
  readonly batchSize: number;
  readonly optimizer: 'sgd' | 'adamw';
  readonly norm: 'bn' | 'gn' | 'frozen-bn';
  /** Peak learning rate (cosine schedule to 0 after a linear warmup). */
  readonly lr: number;
  /** Warmup steps, capped at a quarter of the run for tiny budgets. */
  readonly warmupIters: number;
}

/** One classification loss: its folder name, labels, and retina-train's loss flags. */
export interface StudyLoss {
  /** Folder name under runs/<share>/. */
  readonly id: string;
  /** Row label in the tables and legend label in the charts. */
  readonly label: string;
  readonly kind: 'ce' | 'balanced-ce' | 'focal';
  readonly alpha?: number;
  readonly gamma?: number;
}

/** The three losses of Table 1: plain CE, α-balanced CE at its best α, focal loss at its best (γ, α). */
export const MAIN_LOSSES: readonly StudyLoss[] = [
  { id: 'ce', label: 'CE', kind: 'ce' },
  { id: 'alpha-ce', label: 'α-CE (α = 0.75)', kind: 'balanced-ce', alpha: 0.75 },
  { id: 'focal', label: 'FL (γ = 2, α = 0.25)', kind: 'focal', alpha: 0.25, gamma: 2 },
];

/**
 * Table 1b's γ sweep {0, 0.5, 1, 2, 5}, each at the α the paper found best for that γ
 * (0.75, 0.5, 0.25, 0.25, 0.25). γ = 0 is α-CE and γ = 2 is FL above: those runs are shared.
 */
export const GAMMA_SWEEP: readonly { readonly gamma: number; readonly alpha: number; readonly lossId: string }[] = [
  { gamma: 0, alpha: 0.75, lossId: 'alpha-ce' },
  { gamma: 0.5, alpha: 0.5, lossId: 'fl-g0.5' },
  { gamma: 1, alpha: 0.25, lossId: 'fl-g1' },
  { gamma: 2, alpha: 0.25, lossId: 'focal' },
  { gamma: 5, alpha: 0.25, lossId: 'fl-g5' },
];

/** The sweep's losses that are not already among the main three. */
export const SWEEP_LOSSES: readonly StudyLoss[] = GAMMA_SWEEP.filter((g) => !MAIN_LOSSES.some((l) => l.id === g.lossId)).map((g) => ({
  id: g.lossId,
  label: `FL (γ = ${g.gamma}, α = ${g.alpha})`,
  kind: 'focal',
  alpha: g.alpha,
  gamma: g.gamma,
}));

export interface StudyConfig {
  /** Output root: data/<share>/, runs/<share>/<loss>/seed-<k>/, study.json, study.md, *.png. */
  readonly out: string;
  /** Run seeds 0..seeds−1 (initialisation, shuffling, flips). */
  readonly seeds: number;
  /** Rare-class shares, one dataset each (e.g. 0.02 and 0.1). */
  readonly shares: readonly number[];
  /** Shares that also get the γ sweep (a subset of `shares`). */
  readonly sweepShares: readonly number[];
  /**
   * Shares on which each main loss also trains once (seed 0) at twice the steps: whether more
   * training would change its numbers, the direct test of convergence under a decaying schedule.
   */
  readonly budgetCheckShares: readonly number[];
  /** Training steps of every run. */
  readonly iterations: number;
  /** Validate on the held-out split every N epochs during training (the convergence curves). */
  readonly evalEvery: number;
  readonly backend: StudyBackend;
  /** retina-train's --threads for each run. */
  readonly threads: number;
  readonly dataset: StudyDatasetConfig;
  readonly model: StudyModelConfig;
  /** Another study's output root (same design, other `iterations`): the report compares each main loss with it. */
  readonly compare?: string;
}

export const DEFAULT_DATASET: StudyDatasetConfig = { images: 1200, size: 128, classes: 3, valFraction: 1 / 3, maxObjects: 6, minObject: 16, maxObject: 64, seed: 0 };
/** P3–P5 with 16/32/64 px anchors (2 × stride): the anchor analysis puts 98.6% of the 16–64 px boxes at IoU ≥ 0.5. */
export const DEFAULT_MODEL: StudyModelConfig = {
  width: 16, fpnChannels: 32, headConvs: 2, headChannels: 32, minLevel: 3, maxLevel: 5, anchorSizes: [16, 32, 64],
  batchSize: 4, optimizer: 'adamw', norm: 'bn', lr: 0.001, warmupIters: 100,
};
export const DEFAULT_SHARES: readonly number[] = [0.02, 0.1];
export const DEFAULT_SEEDS = 3;
export const DEFAULT_ITERATIONS = 2000;
export const DEFAULT_EVAL_EVERY = 1;

/** One planned run. */
export interface StudyRun {
  /** `<share tag>/<loss id>/seed-<k>` (`…/seed-0-x2` for a budget check): unique, and its folder under runs/. */
  readonly id: string;
  readonly share: number;
  readonly loss: StudyLoss;
  readonly seed: number;
  /** Steps as a multiple of the study's `iterations`: 1, or 2 for a budget check. */
  readonly budget: 1 | 2;
}

/** A share as a folder tag: 0.02 → "rare-2pct", 0.1 → "rare-10pct". */
export function shareTag(share: number): string {
  return `rare-${Math.round(share * 1000) / 10}pct`;
}

/**
 * Every run of the study, in a fixed order: share, then loss (main three, then the sweep), then seed;
 * then the budget checks (main losses, seed 0, twice the steps).
 */
export function planRuns(c: Pick<StudyConfig, 'shares' | 'sweepShares' | 'seeds'> & Partial<Pick<StudyConfig, 'budgetCheckShares'>>): StudyRun[] {
  const runs: StudyRun[] = [];
  for (const share of c.shares) {
    const losses = c.sweepShares.includes(share) ? [...MAIN_LOSSES, ...SWEEP_LOSSES] : MAIN_LOSSES;
    for (const loss of losses) {
      for (let seed = 0; seed < c.seeds; seed++) runs.push({ id: `${shareTag(share)}/${loss.id}/seed-${seed}`, share, loss, seed, budget: 1 });
    }
  }
  for (const share of c.budgetCheckShares ?? []) {
    for (const loss of MAIN_LOSSES) runs.push({ id: `${shareTag(share)}/${loss.id}/seed-0-x2`, share, loss, seed: 0, budget: 2 });
  }
  return runs;
}

/** The steps of one run. */
export const runIterations = (c: Pick<StudyConfig, 'iterations'>, run: Pick<StudyRun, 'budget'>): number => c.iterations * run.budget;

/** The runs that shard `index` of `count` takes (every count-th run, so each shard gets every loss). */
export function shardRuns(runs: readonly StudyRun[], shard: { readonly index: number; readonly count: number } | undefined): StudyRun[] {
  return shard === undefined ? [...runs] : runs.filter((_, i) => i % shard.count === shard.index);
}

/** Where the study reads and writes, under `out`. */
export interface StudyPaths {
  readonly data: (share: number) => string;
  readonly images: (share: number) => string;
  readonly trainAnn: (share: number) => string;
  readonly valAnn: (share: number) => string;
  /** runs/<run id>: the retina-train run directory, plus train.log, eval.log, dt.json, eval.json, result.json. */
  readonly run: (run: StudyRun) => string;
  readonly studyJson: string;
  readonly studyMd: string;
  /** A chart under `out`: pr-<share tag>.png (rare-class PR curves), curves-<share tag>.png (validation AP). */
  readonly chart: (kind: 'pr' | 'curves', share: number) => string;
}

export function studyPaths(out: string): StudyPaths {
  const data = (share: number): string => join(out, 'data', shareTag(share));
  return {
    data,
    images: (s) => join(data(s), 'images'),
    trainAnn: (s) => join(data(s), 'annotations', 'instances_train.json'),
    valAnn: (s) => join(data(s), 'annotations', 'instances_val.json'),
    run: (r) => join(out, 'runs', r.id),
    studyJson: join(out, 'study.json'),
    studyMd: join(out, 'study.md'),
    chart: (kind, s) => join(out, `${kind}-${shareTag(s)}.png`),
  };
}

const lossFlags = (l: StudyLoss): string[] => [
  '--loss', l.kind,
  ...(l.alpha !== undefined ? ['--alpha', String(l.alpha)] : []),
  ...(l.gamma !== undefined ? ['--gamma', String(l.gamma)] : []),
];

/**
 * retina-train's command line for one run: every model, anchor, optimiser and input setting is given
 * explicitly, so the runs differ in the loss flags and the seed only (and do not drift with
 * retina-train's defaults). The held-out split is validated every `evalEvery` epochs for the curves.
 */
export function trainArgs(config: StudyConfig, run: StudyRun): string[] {
  const { model: m, dataset: d } = config;
  const p = studyPaths(config.out);
  const iterations = runIterations(config, run);
  const warmup = Math.min(m.warmupIters, Math.floor(iterations / 4));
  return [
    '--train-ann', p.trainAnn(run.share), '--train-images', p.images(run.share),
    '--val-ann', p.valAnn(run.share), '--val-images', p.images(run.share), '--eval-every', String(config.evalEvery),
    '--out', p.run(run),
    '--backbone', 'narrow', '--width', String(m.width), '--fpn-channels', String(m.fpnChannels),
    '--head-convs', String(m.headConvs), '--head-channels', String(m.headChannels),
    '--min-level', String(m.minLevel), '--max-level', String(m.maxLevel), '--anchor-sizes', ...m.anchorSizes.map(String),
    ...lossFlags(run.loss),
    '--iterations', String(iterations), '--batch-size', String(m.batchSize),
    '--optimizer', m.optimizer, '--norm', m.norm, '--lr', String(m.lr), '--schedule', 'cosine', '--warmup-iters', String(warmup),
    '--image-size', String(d.size), '--max-size', String(d.size),
    '--seed', String(run.seed), '--backend', config.backend, '--threads', String(config.threads), '--quiet',
  ];
}

/** retina-eval's command line: the run's final model on the held-out split, at the training input size. */
export function evalArgs(config: StudyConfig, run: StudyRun): string[] {
  const p = studyPaths(config.out);
  const dir = p.run(run);
  const size = String(config.dataset.size);
  return [
    '--model', join(dir, 'model'), '--ann', p.valAnn(run.share), '--images', p.images(run.share),
    '--image-size', size, '--max-size', size, '--backend', config.backend, '--quiet',
    '--out', join(dir, 'dt.json'), '--json', join(dir, 'eval.json'),
  ];
}

/**
 * The command that reproduces the study: every flag that differs from the defaults, and always
 * `--threads` (part of every run's command line, whose default depends on the machine's cores).
 */
export function reproduceCommand(c: StudyConfig): string {
  const d = c.dataset;
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  const extra = [
    c.seeds !== DEFAULT_SEEDS ? `--seeds ${c.seeds}` : '',
    !same(c.shares, DEFAULT_SHARES) ? `--shares ${c.shares.join(' ')}` : '',
    !same(c.sweepShares, [c.shares[0]]) ? `--sweep-shares ${c.sweepShares.join(' ') || 'none'}` : '',
    c.budgetCheckShares.length > 0 ? `--budget-check ${c.budgetCheckShares.join(' ')}` : '',
    d.images !== DEFAULT_DATASET.images ? `--images ${d.images}` : '',
    d.size !== DEFAULT_DATASET.size ? `--size ${d.size}` : '',
    c.evalEvery !== DEFAULT_EVAL_EVERY ? `--eval-every ${c.evalEvery}` : '',
    c.compare !== undefined ? `--compare ${c.compare}` : '',
  ].filter(Boolean);
  return ['npx retina-tools study-loss', `--out ${c.out}`, `--iterations ${c.iterations}`, `--backend ${c.backend}`, `--threads ${c.threads}`, ...extra].join(' ');
}
