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
  };
  loss: { kind: 'focal' | 'ce' | 'balanced-ce'; alpha: number; gamma: number; box: 'smooth-l1' | 'l1' | 'giou' };
  optim: {
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
    },
    loss: { kind: a.loss, alpha: a.alpha, gamma: a.gamma, box: a['box-loss'] },
    optim: {
      epochs: a.iterations === undefined ? (a.epochs ?? DEFAULT_EPOCHS) : undefined,
      iterations: a.iterations,
      batchSize: a['batch-size'],
      lr: a.lr,
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
