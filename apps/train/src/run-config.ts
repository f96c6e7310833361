/**
 * The resolved run configuration: the CLI arguments reduced to the values the run uses, stored in
 * every checkpoint so that `--resume RUN` continues with exactly the same settings.
 */
import type { TrainArgs } from './cli';

export interface RunConfig {
  trainAnn: string;
  trainImages: string;
  valAnn?: string;
  valImages?: string;
  out: string;
  initFrom?: string;
  pretrained?: string;
  freezeBackbone: boolean;
  model: {
    backbone: 'narrow' | 'resnet18' | 'resnet34' | 'resnet50';
    width: number;
    fpnChannels: number;
    headConvs: number;
    headChannels: number;
    /** Backbone norm (runs saved before it existed trained with 'frozen-bn'). */
    norm: 'bn' | 'gn' | 'frozen-bn';
    /** Group norm after the head convs ('gn') or none. */
    headNorm: 'none' | 'gn';
    /** Pyramid levels of the FPN and the anchors. */
    minLevel: number;
    maxLevel: number;
    /** Anchor base sizes (one per level), scales and ratios; undefined = the library's defaults. */
    anchorSizes?: number[];
    anchorScales?: number[];
    anchorRatios?: number[];
  };
  loss: { kind: 'focal' | 'ce' | 'balanced-ce'; alpha: number; gamma: number; box: 'smooth-l1' | 'l1' | 'giou' };
  optim: {
    /** Runs saved before it existed used 'sgd'. */
    optimizer: 'sgd' | 'adamw';
    /** EMA decay of the weights (0: no EMA) and the steps over which the decay warms up. */
    ema: number;
    emaTau: number;
    /** With a time limit: fraction of the budget spent in linear warmup. */
    warmupFraction: number;
    /** Stop after this many validations without a better AP (0: never). */
    patience: number;
    /** Training budget in seconds over the whole run (the schedule follows it). */
    timeLimit?: number;
    epochs?: number;
    iterations?: number;
    batchSize: number;
    lr: number;
    momentum: number;
    weightDecay: number;
    schedule: 'step' | 'cosine';
    warmupIters: number;
    clipGrad: number;
  };
  data: { imageSizes: number[]; maxSize: number; hflip: number; maxImages?: number; workers: number };
  seed: number;
  evalEvery: number;
  skipNonFinite: boolean;
}

/**
 * The test size of a run: its largest training scale and its cap. The trainer's validation runs at
 * it, and it is saved with the model as retina-eval's default.
 */
export const testSizeOf = (config: RunConfig): { shortSide: number; maxSize: number } => ({ shortSide: Math.max(...config.data.imageSizes), maxSize: config.data.maxSize });

/** Settings that may change between a run and its resumption (they do not affect the numbers). */
export interface SessionSettings {
  backend: TrainArgs['backend'];
  timeLimit?: number;
  /** Training threads on the wasm/cpu engines (data-parallel replicas); 0 = one per core. */
  threads: number;
  quiet: boolean;
  jsonLog: boolean;
}

export const DEFAULT_EPOCHS = 12;

/** Peak learning rate by optimizer when --lr is not given (batch 4). */
export const DEFAULT_LR: Record<RunConfig['optim']['optimizer'], number> = { sgd: 0.01, adamw: 1e-3 };

/**
 * A run config as saved by any version: fields added since get the value the run actually used
 * (runs saved before `norm` and `optimizer` existed trained frozen BN with SGD).
 */
export function withSavedDefaults(c: RunConfig): RunConfig {
  const m = c.model as Partial<RunConfig['model']> & RunConfig['model'];
  const o = c.optim as Partial<RunConfig['optim']> & RunConfig['optim'];
  return {
    ...c,
    model: { ...m, norm: m.norm ?? 'frozen-bn', headNorm: m.headNorm ?? 'none', minLevel: m.minLevel ?? 3, maxLevel: m.maxLevel ?? 7 },
    optim: { ...o, optimizer: o.optimizer ?? 'sgd', ema: o.ema ?? 0, emaTau: o.emaTau ?? 2000, warmupFraction: o.warmupFraction ?? 0, patience: o.patience ?? 0 },
  };
}

export function runConfigFromArgs(a: TrainArgs): RunConfig {
  return {
    trainAnn: a['train-ann'] as string,
    trainImages: a['train-images'] as string,
    valAnn: a['val-ann'],
    valImages: a['val-images'],
    out: a.out as string,
    initFrom: a['init-from'],
    pretrained: a.pretrained,
    freezeBackbone: a['freeze-backbone'],
    model: {
      backbone: a.backbone,
      width: a.width,
      fpnChannels: a['fpn-channels'],
      headConvs: a['head-convs'],
      headChannels: a['head-channels'],
      norm: a.norm,
      headNorm: a['head-norm'],
      minLevel: a['min-level'],
      maxLevel: a['max-level'],
      anchorSizes: a['anchor-sizes']?.map(Number),
      anchorScales: a['anchor-scales']?.map(Number),
      anchorRatios: a['anchor-ratios']?.map(Number),
    },
    loss: { kind: a.loss, alpha: a.alpha, gamma: a.gamma, box: a['box-loss'] },
    optim: {
      optimizer: a.optimizer,
      ema: a.ema ?? 0,
      emaTau: a['ema-tau'],
      warmupFraction: a['warmup-fraction'],
      patience: a.patience,
      timeLimit: a['time-limit'],
      // with a time budget and no epoch count, the budget alone ends the run
      epochs: a.iterations === undefined ? (a.epochs ?? (a['time-limit'] === undefined ? DEFAULT_EPOCHS : undefined)) : undefined,
      iterations: a.iterations,
      batchSize: a['batch-size'],
      lr: a.lr ?? DEFAULT_LR[a.optimizer],
      momentum: a.momentum,
      weightDecay: a['weight-decay'],
      schedule: a.schedule,
      warmupIters: a['warmup-iters'],
      clipGrad: a['clip-grad'],
    },
    data: {
      imageSizes: (a['image-size'] as number[]).map(Number),
      maxSize: a['max-size'],
      hflip: a.hflip,
      maxImages: a['max-images'],
      workers: a.workers,
    },
    seed: a.seed,
    evalEvery: a['eval-every'],
    skipNonFinite: a['skip-nonfinite'],
  };
}

export function sessionFromArgs(a: TrainArgs): SessionSettings {
  return { backend: a.backend, timeLimit: a['time-limit'], threads: a.threads, quiet: a.quiet, jsonLog: a['json-log'] };
}
