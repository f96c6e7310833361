/**
 * What a training run is made of before its first step: engine, run folder, data, length, validator,
 * model (new or resumed), optimizer and EMA (restored on resume), data-parallel replicas, the clock.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallel, removeStaleStaging, selectEngine } from '@retina/engine/node';
import { createDataLoader, loadCocoDataset, type DataLoader } from '@retina/coco';
import { UserError } from '@retina/errors';
import { createOptimizer, ModelEma, splitEmaState, type Optimizer } from '@retina/optim';
import { REPLICA_MODULE, createRetinaNet, loadRetinaNet, replicaOf, trainedVariables, type RetinaNet, type TrainShard } from '@retina/retinanet/node';
import { loadCheckpoint, type TrainerState } from './checkpoint';
import { RunLog } from './metrics';
import { KERAS_RESNET_NORMALIZATION, loadPretrainedWeights } from './pretrained';
import { Reporter } from './progress';
import { testSizeOf, type RunConfig, type SessionSettings } from './run-config';
import { Validator } from './validation';

/** Seconds a run has trained, over all its sessions: what the time budget and the clock schedule follow. */
export class RunClock {
  private readonly started = Date.now();

  /** Starts now, `elapsedAtStart` seconds into the run (a resumed run's earlier sessions). */
  constructor(
    private readonly elapsedAtStart: number,
    /** The run's time budget in seconds; undefined: none. */
    readonly timeLimit: number | undefined,
  ) {}

  elapsed(): number {
    return this.elapsedAtStart + (Date.now() - this.started) / 1000;
  }

  timeUp(): boolean {
    return this.timeLimit !== undefined && this.elapsed() >= this.timeLimit;
  }
}

/** Everything a run holds from its setup to its end. */
export interface Run {
  config: RunConfig;
  reporter: Reporter;
  runDir: string;
  loader: DataLoader;
  batchesPerEpoch: number;
  /** Optimizer steps of the whole run; Infinity when only the time budget ends it. */
  totalIterations: number;
  /** `/<epochs>` for the epoch lines, empty when the epoch count is open. */
  epochsText: string;
  validator: Validator | undefined;
  log: RunLog;
  net: RetinaNet;
  /** What the checkpoints save and `--resume` continues from; the loop advances it. */
  state: TrainerState;
  optimizer: Optimizer;
  ema: ModelEma | undefined;
  /** The variables the EMA averages: weights and batch-norm running statistics. */
  averaged: tf.Variable[];
  /** The variables the optimizer updates (the backbone's left out with --freeze-backbone). */
  trainable: tf.Variable[];
  parallel: DataParallel<TrainShard> | undefined;
  /** Started when the setup ends, so that its seconds count in no budget. */
  clock: RunClock;
}

/** Sets a run up from its config (with the saved defaults applied), resuming from its last checkpoint if asked. */
export async function startRun(config: RunConfig, session: SessionSettings, resume: boolean): Promise<Run> {
  const reporter = new Reporter(session.jsonLog ? 'json' : session.quiet ? 'quiet' : 'bar');
  const engine = await selectEngine({ backend: session.backend });
  reporter.info(engine.describe());
  const runDir = resolve(config.out);
  mkdirSync(runDir, { recursive: true });
  removeStaleStaging(join(runDir, 'checkpoints'));

  const { loader, batchesPerEpoch, categories } = await loadTrainingData(config, reporter);
  const timeLimit = session.timeLimit ?? config.optim.timeLimit;
  // a time budget with neither epochs nor iterations given: train until the time runs out
  const totalIterations = config.optim.iterations ?? (config.optim.epochs === undefined ? Infinity : config.optim.epochs * batchesPerEpoch);
  if (!Number.isFinite(totalIterations) && timeLimit === undefined) throw new UserError('give --epochs, --iterations or --time-limit');
  const epochs = Math.ceil(totalIterations / batchesPerEpoch);
  reporter.info(
    `data: ${loader.images.length} training images, ${categories} ${categories === 1 ? 'class' : 'classes'}, ` +
      `${batchesPerEpoch} batches of ${config.optim.batchSize} per epoch, ` +
      (Number.isFinite(totalIterations) ? `${totalIterations} iterations` : `as many iterations as ${timeLimit} s allow`),
  );
  const validator = config.valAnn && config.valImages ? await Validator.create(config, reporter) : undefined;

  const log = new RunLog(runDir);
  const ck = resume ? await loadCheckpoint(runDir) : undefined;
  const net = ck ? ck.net : await buildModel(config, loader, reporter);
  const state: TrainerState = ck ? { ...ck.state, elapsedSeconds: ck.state.elapsedSeconds ?? 0, stale: ck.state.stale ?? 0 } : { epoch: 0, batchInEpoch: 0, iteration: 0, bestAp: -1, elapsedSeconds: 0, stale: 0, config };
  const optimizer = createOptimizer(config.optim.optimizer, {
    momentum: config.optim.momentum,
    weightDecay: config.optim.weightDecay,
    clipGradNorm: config.optim.clipGrad,
    decays: (name) => net.weightDecayMask(name),
  });
  const averaged = [...net.variables, ...net.stateVariables];
  const ema = config.optim.ema > 0 ? new ModelEma(averaged, { decay: config.optim.ema, tau: config.optim.emaTau }) : undefined;
  // records after the checkpoint belong to steps that will be redone (or to a run that never checkpointed)
  log.truncateAfter(state.iteration);
  if (ck) {
    const { ema: emaState, rest } = splitEmaState(ck.optimizerState);
    optimizer.restore(rest, net.variables);
    if (ema) ema.restore(emaState);
    tf.dispose(Object.values(ck.optimizerState));
    reporter.info(`resumed from ${ck.dir}: epoch ${state.epoch + 1}, iteration ${state.iteration}`);
  }
  const trainable = trainedVariables(net, config.freezeBackbone);
  const parallel = await startParallel(net, config, session, engine.tfBackend, reporter);
  reporter.info(describeRecipe(config, timeLimit));
  return {
    config, reporter, runDir, loader, batchesPerEpoch, totalIterations, validator, log, net, state, optimizer, ema, averaged, trainable, parallel,
    epochsText: Number.isFinite(epochs) ? `/${epochs}` : '',
    clock: new RunClock(state.elapsedSeconds, timeLimit),
  };
}

/** The training set's loader (full batches only), its batches per epoch and its number of classes. */
async function loadTrainingData(config: RunConfig, reporter: Reporter): Promise<{ loader: DataLoader; batchesPerEpoch: number; categories: number }> {
  const train = await loadCocoDataset(config.trainAnn, config.trainImages);
  train.warnings.forEach((w) => reporter.warn(w));
  const loader = createDataLoader(train, {
    batchSize: config.optim.batchSize,
    shortSide: config.data.imageSizes,
    maxSize: config.data.maxSize,
    padMultiple: 2 ** config.model.maxLevel,
    hflip: config.data.hflip,
    seed: config.seed,
    workers: config.data.workers,
    maxImages: config.data.maxImages,
    dropLast: true,
    onWarning: (m) => reporter.warn(m),
  });
  const batchesPerEpoch = loader.numBatches(0);
  if (batchesPerEpoch === 0) {
    throw new UserError(
      `${config.trainAnn}: ${loader.images.length} training images make no full batch of ${config.optim.batchSize}; use a smaller --batch-size or more images`,
    );
  }
  return { loader, batchesPerEpoch, categories: train.categories.length };
}

/** One line that says how the run trains (norm, optimizer, EMA, schedule). */
function describeRecipe(config: RunConfig, timeLimit: number | undefined): string {
  const o = config.optim;
  const schedule = timeLimit !== undefined
    ? `${o.schedule} over the ${timeLimit} s budget (warmup ${(o.warmupFraction * 100).toFixed(0)} % of it)`
    : `${o.schedule}, warmup ${o.warmupIters} steps`;
  return `recipe: backbone norm ${config.model.norm}${config.model.headNorm === 'gn' ? ', head group norm' : ''}, ${o.optimizer} lr ${o.lr} wd ${o.weightDecay}, ` +
    `${o.ema > 0 ? `EMA ${o.ema} (tau ${o.emaTau})` : 'no EMA'}, ${schedule}`;
}

/** A new detector (random, or the --init-from weights), with the --pretrained backbone weights loaded. */
async function buildModel(config: RunConfig, loader: DataLoader, reporter: Reporter): Promise<RetinaNet> {
  const testSize = testSizeOf(config);
  if (config.initFrom) return loadRetinaNet(join(config.initFrom), { testSize });
  const cm = loader.categoryMap;
  const m = config.model;
  const norm = m.norm;
  const net = createRetinaNet({
    numClasses: cm.size,
    categories: cm.toJSON().categories,
    seed: config.seed,
    backbone: m.backbone === 'narrow'
      ? { depth: 'narrow', width: m.width, norm }
      : { depth: Number(m.backbone.replace('resnet', '')) as 18 | 34 | 50, norm },
    fpn: { channels: m.fpnChannels, minLevel: m.minLevel, maxLevel: m.maxLevel },
    head: { convs: m.headConvs, channels: m.headChannels, groupNorm: m.headNorm === 'gn' },
    anchors: {
      ...(m.anchorSizes ? { baseSizes: m.anchorSizes } : {}),
      ...(m.anchorScales ? { scales: m.anchorScales } : {}),
      ...(m.anchorRatios ? { ratios: m.anchorRatios } : {}),
    },
    loss: { kind: config.loss.kind, alpha: config.loss.alpha, gamma: config.loss.gamma, box: config.loss.box },
    ...(config.pretrained ? { normalization: KERAS_RESNET_NORMALIZATION } : {}),
    testSize,
  });
  if (config.pretrained) {
    try {
      reporter.info(await loadPretrainedWeights(net, config.pretrained));
    } catch (e) {
      net.dispose();
      throw e;
    }
  }
  return net;
}

/**
 * Worker threads for data-parallel steps on the engines that run one thread (wasm, cpu): `threads`
 * replicas in all, the trainer's own included. None on the engines with their own parallelism.
 */
async function startParallel(net: RetinaNet, config: RunConfig, session: SessionSettings, engine: string, reporter: Reporter): Promise<DataParallel<TrainShard> | undefined> {
  if (engine !== 'wasm' && engine !== 'cpu') return undefined;
  const threads = Math.min(session.threads > 0 ? session.threads : availableParallelism(), config.optim.batchSize);
  if (threads <= 1) return undefined;
  const dp = await DataParallel.start(
    replicaOf(net, config.freezeBackbone),
    { module: REPLICA_MODULE, options: { config: net.config, freezeBackbone: config.freezeBackbone } },
    { workers: threads - 1, backend: engine },
  );
  reporter.info(`training on ${threads} threads: each step splits the batch over ${threads} model replicas (--threads 1 for one)`);
  return dp;
}
