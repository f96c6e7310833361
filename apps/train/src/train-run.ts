/**
 * One training run: engine → data → model → loop (steps, epoch records, validation, checkpoints) →
 * final model, plots and summary. The loop is the same code on every engine.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { DataParallel, removeStaleStaging, selectEngine } from '@retina/engine';
import { createDataLoader, loadCocoDataset, type Batch, type DataLoader } from '@retina/coco';
import { REPLICA_MODULE, createRetinaNet, loadRetinaNet, replicaOf, saveRetinaNet, splitBatch, trainedVariables, type RetinaNet, type TrainShard } from '@retina/retinanet';
import { checkpointDir, loadCheckpoint, saveCheckpoint, type TrainerState } from './checkpoint';

import { NonFiniteLossError } from './errors';
import { RunLog } from './metrics';
import { SgdMomentum } from './optimizer';
import { Reporter } from './progress';
import { learningRateAt } from './schedule';
import { testSizeOf, type RunConfig, type SessionSettings } from './run-config';
import { Validator } from './validation';
import { writeRunPlots } from './run-plots';

export type StopReason = 'finished' | 'interrupted' | 'time-limit';

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
  config: RunConfig,
  session: SessionSettings,
  resume: boolean,
  signal: { stop: StopReason | undefined },
): Promise<RunResult> {
  const reporter = new Reporter(session.jsonLog ? 'json' : session.quiet ? 'quiet' : 'bar');
  const engine = await selectEngine({ backend: session.backend });
  reporter.info(engine.describe());
  const runDir = resolve(config.out);
  mkdirSync(runDir, { recursive: true });
  removeStaleStaging(join(runDir, 'checkpoints'));

  const train = await loadCocoDataset(config.trainAnn, config.trainImages);
  train.warnings.forEach((w) => reporter.info(`warning: ${w}`));
  const loader = createDataLoader(train, {
    batchSize: config.optim.batchSize,
    shortSide: config.data.imageSizes,
    maxSize: config.data.maxSize,
    hflip: config.data.hflip,
    seed: config.seed,
    workers: config.data.workers,
    maxImages: config.data.maxImages,
    dropLast: true,
    onWarning: (m) => reporter.info(`warning: ${m}`),
  });
  const batchesPerEpoch = loader.numBatches(0);
  const totalIterations = config.optim.iterations ?? (config.optim.epochs ?? 1) * batchesPerEpoch;
  const epochs = Math.ceil(totalIterations / batchesPerEpoch);
  reporter.info(
    `data: ${loader.images.length} training images, ${train.categories.length} classes, ` +
      `${batchesPerEpoch} batches of ${config.optim.batchSize} per epoch, ${totalIterations} iterations`,
  );
  const validator = config.valAnn && config.valImages ? await Validator.create(config, reporter) : undefined;

  const log = new RunLog(runDir);
  const ck = resume ? await loadCheckpoint(runDir) : undefined;
  const net = ck ? ck.net : await buildModel(config, loader);
  const state: TrainerState = ck ? ck.state : { epoch: 0, batchInEpoch: 0, iteration: 0, bestAp: -1, config };
  const optimizer = new SgdMomentum({
    momentum: config.optim.momentum,
    weightDecay: config.optim.weightDecay,
    clipGradNorm: config.optim.clipGrad,
    decays: (name) => net.weightDecayMask(name),
  });
  // records after the checkpoint belong to steps that will be redone (or to a run that never checkpointed)
  log.truncateAfter(state.iteration);
  if (ck) {
    optimizer.restore(ck.optimizerState, net.variables);
    tf.dispose(Object.values(ck.optimizerState));
    reporter.info(`resumed from ${ck.dir}: epoch ${state.epoch + 1}, iteration ${state.iteration}`);
  }
  const trainable = trainedVariables(net, config.freezeBackbone);
  const parallel = await startParallel(net, config, session, engine.tfBackend, reporter);

  const started = Date.now();
  const timeUp = () => session.timeLimit !== undefined && (Date.now() - started) / 1000 >= session.timeLimit;
  const save = (which: 'last' | 'best') => {
    const opt = optimizer.state();
    return saveCheckpoint(checkpointDir(runDir, which), net, opt, state).finally(() => tf.dispose(Object.values(opt)));
  };

  let reason: StopReason = 'finished';
  while (state.iteration < totalIterations) {
    const epochStart = Date.now();
    const sums = { total: 0, cls: 0, box: 0, n: 0, images: 0 };
    reporter.startEpoch(state.epoch, epochs, batchesPerEpoch, state.batchInEpoch);
    let index = 0;
    for await (const batch of loader.epoch(state.epoch)) {
      if (index++ < state.batchInEpoch) continue;
      const t0 = Date.now();
      const losses = await trainStep(net, trainable, parallel, optimizer, batch, learningRateAt(state.iteration, schedule(config, totalIterations)), state.iteration, config.skipNonFinite);
      state.iteration++;
      state.batchInEpoch++;
      const ips = batch.batchSize / ((Date.now() - t0) / 1000);
      if (losses) {
        sums.total += losses.total;
        sums.cls += losses.cls;
        sums.box += losses.box;
        sums.n++;
        const lr = learningRateAt(state.iteration - 1, schedule(config, totalIterations));
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
    let stats: number[] | undefined;
    if (validator && (finishedAll || interrupted === 'time-limit' || (epochDone && config.evalEvery > 0 && (state.epoch + 1) % config.evalEvery === 0))) {
      stats = await validator.run(net);
    }
    const mean = (x: number) => (sums.n ? x / sums.n : NaN);
    const epochRec = { kind: 'epoch' as const, epoch: state.epoch, iteration: state.iteration, loss: mean(sums.total), cls: mean(sums.cls), box: mean(sums.box), seconds, imagesPerSec: sums.images / seconds, stats };
    log.append(epochRec);
    reporter.record(epochRec);
    reporter.info(
      `epoch ${state.epoch + 1}/${epochs}: loss ${epochRec.loss.toFixed(4)} (cls ${epochRec.cls.toFixed(4)}, box ${epochRec.box.toFixed(4)}), ` +
        `${epochRec.imagesPerSec.toFixed(2)} img/s, ${seconds.toFixed(1)} s${stats ? `, AP ${stats[0].toFixed(4)} AP50 ${stats[1].toFixed(4)}` : ''}`,
    );
    if (epochDone) {
      state.epoch++;
      state.batchInEpoch = 0;
    }
    if (stats && stats[0] > state.bestAp) {
      state.bestAp = stats[0];
      await save('best');
    }
    await save('last');
    if (interrupted) {
      reason = interrupted;
      break;
    }
  }
  if (reason !== 'interrupted') {
    await saveRetinaNet(net, join(runDir, 'model'));
    await writeRunPlots(runDir, log, validator?.lastEvaluation);
  }
  await parallel?.close();
  optimizer.dispose();
  net.dispose();
  return { reason, state, runDir };
}

function schedule(config: RunConfig, totalIterations: number) {
  return {
    baseLr: config.optim.lr,
    totalIterations,
    warmupIterations: Math.min(config.optim.warmupIters, Math.floor(totalIterations / 2)),
    kind: config.optim.schedule,
  };
}

async function buildModel(config: RunConfig, loader: DataLoader): Promise<RetinaNet> {
  const testSize = testSizeOf(config);
  if (config.initFrom) return loadRetinaNet(join(config.initFrom), { testSize });
  const cm = loader.categoryMap;
  return createRetinaNet({
    numClasses: cm.size,
    categories: cm.toJSON().categories,
    seed: config.seed,
    backbone: config.model.backbone === 'narrow'
      ? { depth: 'narrow', width: config.model.width }
      : { depth: Number(config.model.backbone.replace('resnet', '')) as 18 | 34 | 50 },
    fpn: { channels: config.model.fpnChannels },
    head: { convs: config.model.headConvs, channels: config.model.headChannels },
    loss: { kind: config.loss.kind, alpha: config.loss.alpha, gamma: config.loss.gamma, box: config.loss.box },
    testSize,
  });
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
  optimizer: SgdMomentum,
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
