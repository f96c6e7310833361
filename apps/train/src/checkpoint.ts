/**
 * Training checkpoints: RUN/checkpoints/{last,best}/ each hold `model/` (a complete detector that
 * retina-eval can load) and `trainer/` (optimizer buffers + the trainer state as metadata), written
 * together through one atomic directory swap (see checkpoint-dir.ts).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadTensors, readMetadata, resolveAtomicDir, saveTensors, writeDirAtomically } from '@retina/engine/node';
import { loadRetinaNet, saveRetinaNet, type RetinaNet } from '@retina/retinanet/node';
import { UserError } from '@retina/errors';
import type { RunConfig } from './run-config';

/** Where the run stands: everything besides weights and optimizer buffers that resume needs. */
export interface TrainerState {
  /** Epoch being trained (0-based) and batches of it already done. */
  epoch: number;
  batchInEpoch: number;
  /** Optimizer steps done. */
  iteration: number;
  bestAp: number;
  /** Training seconds so far, over every session (a --time-limit budget spans resumes). */
  elapsedSeconds: number;
  /** Validations since the best AP (for --patience). */
  stale: number;
  config: RunConfig;
}

export function checkpointDir(runDir: string, which: 'last' | 'best'): string {
  return join(runDir, 'checkpoints', which);
}

export async function saveCheckpoint(
  target: string,
  net: RetinaNet,
  optimizerState: tf.NamedTensorMap,
  state: TrainerState,
): Promise<void> {
  await writeDirAtomically(target, async (staging) => {
    await saveRetinaNet(net, join(staging, 'model'));
    await saveTensors(join(staging, 'trainer'), optimizerState, { trainerState: state });
  });
}

export interface LoadedCheckpoint {
  net: RetinaNet;
  optimizerState: tf.NamedTensorMap;
  state: TrainerState;
  dir: string;
}

export async function loadCheckpoint(runDir: string): Promise<LoadedCheckpoint> {
  const dir = resolveAtomicDir(checkpointDir(runDir, 'last'));
  if (!dir) throw new UserError(`--resume ${runDir}: no checkpoint found (expected ${checkpointDir(runDir, 'last')})`);
  const net = await loadRetinaNet(join(dir, 'model'));
  const { tensors, metadata } = await loadTensors(join(dir, 'trainer'));
  const state = (metadata as { trainerState?: TrainerState } | undefined)?.trainerState;
  if (!state) throw new UserError(`${join(dir, 'trainer', 'model.json')}: missing trainerState metadata`);
  return { net, optimizerState: tensors, state, dir };
}

/**
 * Only the trainer state of RUN's last checkpoint, read from the metadata of `trainer/model.json`
 * without touching any tensor engine (the run's config decides which engine to start).
 */
export function loadCheckpointState(runDir: string): TrainerState {
  const dir = resolveAtomicDir(checkpointDir(runDir, 'last'));
  if (!dir) throw new UserError(`--resume ${runDir}: no checkpoint found (expected ${checkpointDir(runDir, 'last')})`);
  const state = (readMetadata(join(dir, 'trainer')) as { trainerState?: TrainerState } | undefined)?.trainerState;
  if (!state) throw new UserError(`${join(dir, 'trainer', 'model.json')}: missing trainerState metadata`);
  return state;
}
