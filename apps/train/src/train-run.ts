/**
 * One training run: engine → data → model → loop (steps, epoch records, validation, checkpoints) →
 * final model, plots and summary. The loop is the same code on every engine.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { DataParallel, removeStaleStaging, selectEngine, writeFileAtomic } from '@retina/engine/node';
import { createDataLoader, loadCocoDataset, type Batch, type DataLoader } from '@retina/coco';
import { REPLICA_MODULE, createRetinaNet, loadRetinaNet, replicaOf, saveRetinaNet, splitBatch, trainedVariables, type RetinaNet, type TrainShard } from '@retina/retinanet/node';
import { checkpointDir, loadCheckpoint, saveCheckpoint, type TrainerState } from './checkpoint';

import { UserError } from '@retina/errors';
import { NonFiniteLossError } from './errors';
import { RunLog } from './metrics';
import { ModelEma, splitEmaState } from './ema';
import { createOptimizer, type Optimizer } from './optimizer';
import { KERAS_RESNET_NORMALIZATION, loadPretrainedWeights } from './pretrained';
import { Reporter } from './progress';
import { learningRateAt, learningRateAtProgress } from './schedule';
import { testSizeOf, withSavedDefaults, type RunConfig, type SessionSettings } from './run-config';
import { Validator, type ValidationResult } from './validation';
import { confusionMatrixPng, writePngAtomic } from '@retina/plots';
import { writeRunPlots } from './run-plots';

export type StopReason = 'finished' | 'interrupted' | 'time-limit' | 'patience';

export interface RunResult {
  reason: StopReason;
  state: TrainerState;
  runDir: string;
}

interface StepLosses {
  total: number;
  cls: number;
  box: number;
}

export async function trainRun(
  savedConfig: RunConfig,
  session: SessionSettings,
  resume: boolean,
  signal: { stop: StopReason | undefined },
): Promise<RunResult> {
  const config = withSavedDefaults(savedConfig);
  const reporter = new Reporter(session.jsonLog ? 'json' : session.quiet ? 'quiet' : 'bar');
  const engine = await selectEngine({ backend: session.backend });
  reporter.info(engine.describe());
  const runDir = resolve(config.out);
  mkdirSync(runDir, { recursive: true });
  removeStaleStaging(join(runDir, 'checkpoints'));

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
  const timeLimit = session.timeLimit ?? config.optim.timeLimit;
  // a time budget with neither epochs nor iterations given: train until the time runs out
  const totalIterations = config.optim.iterations ?? (config.optim.epochs === undefined ? Infinity : config.optim.epochs * batchesPerEpoch);
  if (!Number.isFinite(totalIterations) && timeLimit === undefined) throw new UserError('give --epochs, --iterations or --time-limit');
  const epochs = Math.ceil(totalIterations / batchesPerEpoch);
  const epochsText = Number.isFinite(epochs) ? `/${epochs}` : '';
  reporter.info(
    `data: ${loader.images.length} training images, ${train.categories.length} ${train.categories.length === 1 ? 'class' : 'classes'}, ` +
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
  // the EMA averages every float variable: weights and batch-norm running statistics
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

  const started = Date.now();
  const elapsedAtStart = state.elapsedSeconds;
  const elapsed = () => elapsedAtStart + (Date.now() - started) / 1000;
  const timeUp = () => timeLimit !== undefined && elapsed() >= timeLimit;
  const lrNow = () => learningRateFor(config, state.iteration, totalIterations, timeLimit, elapsed());
  /** Runs `fn` with the EMA weights in the model (validation, saving), the training weights after. */
  const withEvalWeights = <T>(fn: () => Promise<T>): Promise<T> => (ema ? ema.withEmaWeights(averaged, fn) : fn());
  const save = (which: 'last' | 'best') => {
    state.elapsedSeconds = elapsed();
    const tensors = { ...optimizer.state(), ...(ema?.state() ?? {}) };
    // 'best' holds the weights that scored best (the EMA's); 'last' the training weights, to resume from
    const write = () => saveCheckpoint(checkpointDir(runDir, which), net, tensors, state);
    return (which === 'best' ? withEvalWeights(write) : write()).finally(() => tf.dispose(Object.values(tensors)));
  };

  let reason: StopReason = 'finished';
  while (state.iteration < totalIterations) {
    const epochStart = Date.now();
    const sums = { total: 0, cls: 0, box: 0, n: 0, images: 0 };
    reporter.startEpoch(state.epoch, epochsText, batchesPerEpoch, state.batchInEpoch);
    let index = 0;
    for await (const batch of loader.epoch(state.epoch)) {
      if (index++ < state.batchInEpoch) continue;
      const t0 = Date.now();
      const lr = lrNow();
      const losses = await trainStep(net, trainable, parallel, optimizer, batch, lr, state.iteration, config.skipNonFinite);
      if (losses) ema?.update(averaged);
      state.iteration++;
      state.batchInEpoch++;
      const ips = batch.batchSize / ((Date.now() - t0) / 1000);
      if (losses) {
        sums.total += losses.total;
        sums.cls += losses.cls;
        sums.box += losses.box;
        sums.n++;
        const rec = { kind: 'step' as const, epoch: state.epoch, iteration: state.iteration, lr, loss: losses.total, cls: losses.cls, box: losses.box, gradNorm: losses.gradNorm, imagesPerSec: ips, tensors: tf.memory().numTensors };
        log.append(rec);
        reporter.record(rec);
        reporter.step(state.batchInEpoch, { loss: losses.total, cls: losses.cls, box: losses.box, lr, imagesPerSec: ips });
      }
      sums.images += batch.batchSize;
      if (signal.stop || timeUp() || state.iteration >= totalIterations) break;
    }
    reporter.stopBar();
    const epochDone = state.batchInEpoch >= batchesPerEpoch;
    const interrupted = signal.stop ?? (timeUp() ? 'time-limit' : undefined);
    const seconds = (Date.now() - epochStart) / 1000;
    const finishedAll = state.iteration >= totalIterations;
    let validation: ValidationResult | undefined;
    if (validator && (finishedAll || interrupted === 'time-limit' || (epochDone && config.evalEvery > 0 && (state.epoch + 1) % config.evalEvery === 0))) {
      validation = await withEvalWeights(() => validator.run(net));
    }
    const stats = validation?.stats;
    const mean = (x: number) => (sums.n ? x / sums.n : NaN);
    const epochRec = {
      kind: 'epoch' as const, epoch: state.epoch, iteration: state.iteration, loss: mean(sums.total), cls: mean(sums.cls), box: mean(sums.box),
      seconds, imagesPerSec: sums.images / seconds, stats, valLoss: validation?.loss.total, valCls: validation?.loss.cls, valBox: validation?.loss.box,
    };
    log.append(epochRec);
    reporter.record(epochRec);
    reporter.info(
      `epoch ${state.epoch + 1}${epochsText}: loss ${epochRec.loss.toFixed(4)} (cls ${epochRec.cls.toFixed(4)}, box ${epochRec.box.toFixed(4)}), ` +
        `${epochRec.imagesPerSec.toFixed(2)} img/s, ${seconds.toFixed(1)} s` +
        (validation ? `, val loss ${validation.loss.total.toFixed(4)}, AP ${validation.stats[0].toFixed(4)} AP50 ${validation.stats[1].toFixed(4)}` : ''),
    );
    if (epochDone) {
      state.epoch++;
      state.batchInEpoch = 0;
    }
    if (stats && stats[0] > state.bestAp) {
      state.bestAp = stats[0];
      state.stale = 0;
      await save('best');
    } else if (stats) {
      state.stale++;
    }
    await save('last');
    if (interrupted) {
      reason = interrupted;
      break;
    }
    if (config.optim.patience > 0 && state.stale >= config.optim.patience && !finishedAll) {
      reporter.info(`early stop: no better AP in ${state.stale} validations (--patience ${config.optim.patience}); best AP ${state.bestAp.toFixed(4)}`);
      reason = 'patience';
      break;
    }
  }
  if (reason !== 'interrupted') {
    await withEvalWeights(() => saveRetinaNet(net, join(runDir, 'model')));
    await writeRunPlots(runDir, log, validator?.lastEvaluation);
    const confusion = validator?.confusion();
    if (confusion) {
      await writePngAtomic(join(runDir, 'plots', 'confusion.png'), await confusionMatrixPng(confusion.matrix));
      await writeFileAtomic(join(runDir, 'confusion.json'), JSON.stringify(confusion.matrix, null, 1) + '\n');
      if (reporter.mode !== 'json') reporter.info(confusion.table);
    }
  }
  await parallel?.close();
  optimizer.dispose();
  ema?.dispose();
  net.dispose();
  return { reason, state, runDir };
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

/**
 * Learning rate of the next step. With a time budget, warmup and decay follow the elapsed fraction of
 * it (or of the iteration budget, when that runs out first); otherwise the iteration schedule.
 */
export function learningRateFor(config: RunConfig, iteration: number, totalIterations: number, timeLimit: number | undefined, elapsedSeconds: number): number {
  const o = config.optim;
  if (timeLimit !== undefined) {
    const progress = Math.max(elapsedSeconds / timeLimit, Number.isFinite(totalIterations) ? iteration / totalIterations : 0);
    return learningRateAtProgress(progress, { baseLr: o.lr, warmupFraction: o.warmupFraction, kind: o.schedule });
  }
  return learningRateAt(iteration, {
    baseLr: o.lr,
    totalIterations,
    warmupIterations: Math.min(o.warmupIters, Math.floor(totalIterations / 2)),
    kind: o.schedule,
  });
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

/** Loss and gradients of a batch: on this thread, or split over the data-parallel replicas. */
async function batchGradients(
  net: RetinaNet,
  vars: tf.Variable[],
  parallel: DataParallel<TrainShard> | undefined,
  batch: Batch,
): Promise<{ total: number; cls: number; box: number; grads: tf.NamedTensorMap }> {
  const whole: TrainShard = { images: batch.images, batch: batch.batchSize, height: batch.height, width: batch.width, targets: batch.targets };
  if (parallel) {
    const { grads, loss, shards } = await parallel.gradients(splitBatch(whole, parallel.maxShards));
    const weight = shards.reduce((a, r) => a + r.weight, 0);
    const mean = (key: string) => shards.reduce((a, r) => a + r.weight * r.values[key], 0) / weight;
    return { total: loss, cls: mean('cls'), box: mean('box'), grads };
  }
  const x = tf.tensor4d(batch.images, [batch.batchSize, batch.height, batch.width, 3]);
  let parts: { cls: tf.Scalar; box: tf.Scalar } | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const l = net.computeLosses(x, batch.targets, { training: true });
    parts = { cls: tf.keep(l.cls), box: tf.keep(l.box) };
    return l.total;
  }, vars);
  x.dispose();
  const [total, cls, box] = await Promise.all([value.data(), parts!.cls.data(), parts!.box.data()]).then((a) => a.map((d) => d[0]));
  tf.dispose([value, parts!.cls, parts!.box]);
  return { total, cls, box, grads };
}

async function trainStep(
  net: RetinaNet,
  vars: tf.Variable[],
  parallel: DataParallel<TrainShard> | undefined,
  optimizer: Optimizer,
  batch: Batch,
  lr: number,
  iteration: number,
  skipNonFinite: boolean,
): Promise<(StepLosses & { gradNorm: number }) | undefined> {
  const { total, cls, box, grads } = await batchGradients(net, vars, parallel, batch);
  const bad = [['total', total], ['cls', cls], ['box', box]].find(([, v]) => !Number.isFinite(v as number));
  if (bad) {
    tf.dispose(Object.values(grads));
    if (skipNonFinite) return undefined;
    throw new NonFiniteLossError(iteration + 1, bad[0] as string, bad[1] as number);
  }
  const { gradNorm } = await optimizer.apply(vars, grads, lr);
  tf.dispose(Object.values(grads));
  return { total, cls, box, gradNorm };
}
