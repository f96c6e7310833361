/**
 * Save / load through @retina/engine's file-system I/O: a tfjs weights directory (model.json +
 * shards) whose weights are named by canonical parameter name and whose metadata holds the resolved
 * config (with categories and normalization), so a directory alone rebuilds the detector.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadTensors, readMetadata, saveTensors } from '@retina/engine';
import { resolveRetinaNetConfig, type RetinaNetConfig, type RetinaNetConfigInput, type TestSizeConfig } from './config';
import { RetinaNetModelError } from './errors';
import { RetinaNet } from './model';

/** Format tag in the metadata; bump when the parameter layout changes. */
export const MODEL_FORMAT = 'retina-retinanet/1';

export interface SavedMetadata {
  format: string;
  config: RetinaNetConfig;
}

/** Writes every parameter (trainable and state) and the config to `dir` (atomically). */
export async function saveRetinaNet(net: RetinaNet, dir: string): Promise<void> {
  const tensors: tf.NamedTensorMap = {};
  for (const p of net.store.all()) tensors[p.name] = p.variable;
  const metadata: SavedMetadata = { format: MODEL_FORMAT, config: net.config };
  await saveTensors(dir, tensors, metadata);
}

function savedConfig(dir: string, metadata: Record<string, unknown> | undefined): RetinaNetConfig {
  const m = metadata as Partial<SavedMetadata> | undefined;
  if (m?.format !== MODEL_FORMAT || typeof m.config !== 'object') {
    throw new RetinaNetModelError(`${dir}/model.json`, `not a saved RetinaNet (metadata format ${JSON.stringify(m?.format)}, expected ${MODEL_FORMAT})`);
  }
  // resolved again, so that fields added since the model was saved (e.g. testSize) get their defaults
  return resolveRetinaNetConfig(m.config as RetinaNetConfigInput);
}

/** The config saved in `dir`, without reading weights or needing an engine. */
export function readRetinaNetConfig(dir: string): RetinaNetConfig {
  return savedConfig(dir, readMetadata(dir));
}

/** Copies `tensors` into the parameters of `net`; every parameter must be present with its shape. */
export function assignWeights(net: RetinaNet, tensors: tf.NamedTensorMap, source: string): void {
  const params = net.store.all();
  for (const p of params) {
    const t = tensors[p.name];
    if (!t) throw new RetinaNetModelError(source, `missing weight '${p.name}' [${p.variable.shape}]`);
    if (!tf.util.arraysEqual(t.shape, p.variable.shape)) {
      throw new RetinaNetModelError(source, `weight '${p.name}' has shape [${t.shape}], the model expects [${p.variable.shape}]`);
    }
  }
  const extra = Object.keys(tensors).filter((n) => !net.store.get(n));
  if (extra.length) throw new RetinaNetModelError(source, `weights not in the model: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`);
  for (const p of params) p.variable.assign(tensors[p.name]);
}

export interface LoadRetinaNetOptions {
  /** Replaces the saved test size (e.g. for a model that is trained further at another size). */
  testSize?: TestSizeConfig;
}

/** Rebuilds a detector saved by saveRetinaNet. */
export async function loadRetinaNet(dir: string, options: LoadRetinaNetOptions = {}): Promise<RetinaNet> {
  const { tensors, metadata } = await loadTensors(dir);
  try {
    const saved = savedConfig(dir, metadata);
    const net = new RetinaNet(options.testSize ? { ...saved, testSize: options.testSize } : saved);
    try {
      assignWeights(net, tensors, `${dir}/model.json`);
    } catch (e) {
      net.dispose();
      throw e;
    }
    return net;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
