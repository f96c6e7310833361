/**
 * One training run: setup (`startRun`) → epochs of steps, each epoch ending with its record,
 * validation when due and checkpoints → final model, plots and summary. The loop is the same code on
 * every engine.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@retina/engine/node';
import type { Batch } from '@retina/coco';
import { confusionMatrixPng, writePngAtomic } from '@retina/plots';
import { saveRetinaNet } from '@retina/retinanet/node';
import { checkpointDir, saveCheckpoint, type TrainerState } from './checkpoint';
import { learningRateFor } from './learning-rate';
import { withSavedDefaults, type RunConfig, type SessionSettings } from './run-config';
import { writeRunPlots } from './run-plots';
import { startRun, type Run } from './run-setup';
import { trainStep } from './train-step';
import type { ValidationResult } from './validation';

export type StopReason = 'finished' | 'interrupted' | 'time-limit' | 'patience';

export interface RunResult {
  reason: StopReason;
  state: TrainerState;
  runDir: string;
}

/** The sums behind an epoch's mean losses: over the steps whose loss was finite, and the images seen. */
interface EpochSums {
  total: number;
  cls: number;
  box: number;
  /** Steps with a finite loss. */
  n: number;
  images: number;
}

export async function trainRun(
  savedConfig: RunConfig,
  session: SessionSettings,
  resume: boolean,
  signal: { stop: StopReason | undefined },
): Promise<RunResult> {
  const run = await startRun(withSavedDefaults(savedConfig), session, resume);
  let reason: StopReason = 'finished';
  while (run.state.iteration < run.totalIterations) {
    const stop = await trainEpoch(run, signal);
    if (stop) {
      reason = stop;
      break;
    }
  }
  await finishRun(run, reason);
  return { reason, state: run.state, runDir: run.runDir };
}

/**
 * The rest of the current epoch (from `state.batchInEpoch` on, after a resume), stopping early on a
 * signal, the time limit or the last iteration, then its end (`endEpoch`).
 * @returns why the run stops, or undefined to go on with the next epoch
 */
async function trainEpoch(run: Run, signal: { stop: StopReason | undefined }): Promise<StopReason | undefined> {
  const { state } = run;
  const epochStart = Date.now();
  const sums: EpochSums = { total: 0, cls: 0, box: 0, n: 0, images: 0 };
  run.reporter.startEpoch(state.epoch, run.epochsText, run.batchesPerEpoch, state.batchInEpoch);
  let index = 0;
  for await (const batch of run.loader.epoch(state.epoch)) {
    if (index++ < state.batchInEpoch) continue;
    await runStep(run, batch, sums);
    if (signal.stop || run.clock.timeUp() || state.iteration >= run.totalIterations) break;
  }
  run.reporter.stopBar();
  return endEpoch(run, signal, sums, epochStart);
}

/** One optimizer step on `batch` at this step's learning rate, recorded (unless its loss was skipped as non-finite). */
async function runStep(run: Run, batch: Batch, sums: EpochSums): Promise<void> {
  const { state } = run;
  const t0 = Date.now();
  const lr = learningRateFor(run.config, state.iteration, run.totalIterations, run.clock.timeLimit, run.clock.elapsed());
  const losses = await trainStep(run.net, run.trainable, run.parallel, run.optimizer, batch, lr, state.iteration, run.config.skipNonFinite);
  if (losses) run.ema?.update(run.averaged);
  state.iteration++;
  state.batchInEpoch++;
  const ips = batch.batchSize / ((Date.now() - t0) / 1000);
  if (losses) {
    sums.total += losses.total;
    sums.cls += losses.cls;
    sums.box += losses.box;
    sums.n++;
    const rec = { kind: 'step' as const, epoch: state.epoch, iteration: state.iteration, lr, loss: losses.total, cls: losses.cls, box: losses.box, gradNorm: losses.gradNorm, imagesPerSec: ips, tensors: tf.memory().numTensors };
    run.log.append(rec);
    run.reporter.record(rec);
    run.reporter.step(state.batchInEpoch, { loss: losses.total, cls: losses.cls, box: losses.box, lr, imagesPerSec: ips });
  }
  sums.images += batch.batchSize;
}

/**
 * The end of an epoch's steps (the whole epoch, or the part before a stop): validation when due,
 * the epoch record, the next epoch's position, the 'best' and 'last' checkpoints, and early stopping.
 * @returns why the run stops, or undefined to go on
 */
async function endEpoch(run: Run, signal: { stop: StopReason | undefined }, sums: EpochSums, epochStart: number): Promise<StopReason | undefined> {
  const { config, state } = run;
  const epochDone = state.batchInEpoch >= run.batchesPerEpoch;
  const interrupted = signal.stop ?? (run.clock.timeUp() ? 'time-limit' : undefined);
  const seconds = (Date.now() - epochStart) / 1000;
  const finishedAll = state.iteration >= run.totalIterations;
  const validator = run.validator;
  let validation: ValidationResult | undefined;
  if (validator && (finishedAll || interrupted === 'time-limit' || (epochDone && config.evalEvery > 0 && (state.epoch + 1) % config.evalEvery === 0))) {
    validation = await withEvalWeights(run, () => validator.run(run.net));
  }
  recordEpoch(run, sums, seconds, validation);
  if (epochDone) {
    state.epoch++;
    state.batchInEpoch = 0;
  }
  const stats = validation?.stats;
  if (stats && stats[0] > state.bestAp) {
    state.bestAp = stats[0];
    state.stale = 0;
    await save(run, 'best');
  } else if (stats) {
    state.stale++;
  }
  await save(run, 'last');
  if (interrupted) return interrupted;
  if (config.optim.patience > 0 && state.stale >= config.optim.patience && !finishedAll) {
    run.reporter.info(`early stop: no better AP in ${state.stale} validations (--patience ${config.optim.patience}); best AP ${state.bestAp.toFixed(4)}`);
    return 'patience';
  }
  return undefined;
}

/** The epoch's record (mean step losses, speed, validation) in the log and on the console. */
function recordEpoch(run: Run, sums: EpochSums, seconds: number, validation: ValidationResult | undefined): void {
  const { state } = run;
  const mean = (x: number) => (sums.n ? x / sums.n : NaN);
  const epochRec = {
    kind: 'epoch' as const, epoch: state.epoch, iteration: state.iteration, loss: mean(sums.total), cls: mean(sums.cls), box: mean(sums.box),
    seconds, imagesPerSec: sums.images / seconds, stats: validation?.stats, valLoss: validation?.loss.total, valCls: validation?.loss.cls, valBox: validation?.loss.box,
  };
  run.log.append(epochRec);
  run.reporter.record(epochRec);
  run.reporter.info(
    `epoch ${state.epoch + 1}${run.epochsText}: loss ${epochRec.loss.toFixed(4)} (cls ${epochRec.cls.toFixed(4)}, box ${epochRec.box.toFixed(4)}), ` +
      `${epochRec.imagesPerSec.toFixed(2)} img/s, ${seconds.toFixed(1)} s` +
      (validation ? `, val loss ${validation.loss.total.toFixed(4)}, AP ${validation.stats[0].toFixed(4)} AP50 ${validation.stats[1].toFixed(4)}` : ''),
  );
}

/** Runs `fn` with the EMA weights in the model (validation, saving), the training weights after. */
function withEvalWeights<T>(run: Run, fn: () => Promise<T>): Promise<T> {
  return run.ema ? run.ema.withEmaWeights(run.averaged, fn) : fn();
}

/**
 * Writes checkpoint `which` with the optimizer's and the EMA's state and the run's elapsed seconds:
 * 'best' holds the weights that scored best (the EMA's); 'last' the training weights, to resume from.
 */
function save(run: Run, which: 'last' | 'best'): Promise<void> {
  run.state.elapsedSeconds = run.clock.elapsed();
  const tensors = { ...run.optimizer.state(), ...(run.ema?.state() ?? {}) };
  const write = () => saveCheckpoint(checkpointDir(run.runDir, which), run.net, tensors, run.state);
  return (which === 'best' ? withEvalWeights(run, write) : write()).finally(() => tf.dispose(Object.values(tensors)));
}

/** Unless interrupted: the final model (EMA weights if any), the plots and the confusion matrix. Then frees the run. */
async function finishRun(run: Run, reason: StopReason): Promise<void> {
  if (reason !== 'interrupted') {
    await withEvalWeights(run, () => saveRetinaNet(run.net, join(run.runDir, 'model')));
    await writeRunPlots(run.runDir, run.log, run.validator?.lastEvaluation);
    const confusion = run.validator?.confusion();
    if (confusion) {
      await writePngAtomic(join(run.runDir, 'plots', 'confusion.png'), await confusionMatrixPng(confusion.matrix));
      await writeFileAtomic(join(run.runDir, 'confusion.json'), JSON.stringify(confusion.matrix, null, 1) + '\n');
      if (run.reporter.mode !== 'json') run.reporter.info(confusion.table);
    }
  }
  await run.parallel?.close();
  run.optimizer.dispose();
  run.ema?.dispose();
  run.net.dispose();
}
