/**
 * The saved form of a detector, wherever it is stored: every parameter as a tensor named by its
 * canonical parameter name, and metadata holding the resolved config (with categories and
 * normalization), so that the two alone rebuild the detector. model-dir.ts (Node,
 * `@retina/retinanet/node`) keeps them in a tfjs weights directory; load-url.ts fetches that
 * directory's files over HTTP (a browser).
 */
import * as tf from '@tensorflow/tfjs-core';
import { isUserError } from '@retina/errors';
import { resolveRetinaNetConfig, type RetinaNetConfig, type RetinaNetConfigInput, type TestSizeConfig } from './config';
import { RetinaNetModelError } from './errors';
import { RetinaNet } from './model';

/** Format tag in the metadata; bump when the parameter layout changes. */
export const MODEL_FORMAT = 'retina-retinanet/1';

export interface SavedMetadata {
  format: string;
  config: RetinaNetConfig;
}

/** What saving `net` stores: its parameters (trainable and state, by name; not copies) and metadata. */
export function savedForm(net: RetinaNet): { tensors: tf.NamedTensorMap; metadata: SavedMetadata } {
  const tensors: tf.NamedTensorMap = {};
  for (const p of net.store.all()) tensors[p.name] = p.variable;
  return { tensors, metadata: { format: MODEL_FORMAT, config: net.config } };
}

/** The config in saved `metadata`; `source` names where it came from in errors (e.g. `dir/model.json`). */
export function savedConfig(source: string, metadata: Record<string, unknown> | undefined): RetinaNetConfig {
  const m = metadata as Partial<SavedMetadata> | undefined;
  if (m?.format !== MODEL_FORMAT || typeof m.config !== 'object') {
    throw new RetinaNetModelError(source, `not a saved RetinaNet (metadata format ${JSON.stringify(m?.format)}, expected ${MODEL_FORMAT})`);
  }
  try {
    // resolved again, so that fields added since the model was saved (e.g. testSize) get their defaults
    return resolveRetinaNetConfig(m.config as RetinaNetConfigInput);
  } catch (e) {
    // a config that cannot be built (edited by hand, or from a newer version): name the file
    if (isUserError(e)) throw new RetinaNetModelError(source, `saved config: ${e.message}`);
    throw e;
  }
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

/**
 * Rebuilds a detector from its saved form (the tensors stay the caller's to dispose); `source` names
 * it in errors.
 */
export function restoreRetinaNet(tensors: tf.NamedTensorMap, metadata: Record<string, unknown> | undefined, source: string, options: LoadRetinaNetOptions = {}): RetinaNet {
  const saved = savedConfig(source, metadata);
  const net = new RetinaNet(options.testSize ? { ...saved, testSize: options.testSize } : saved);
  try {
    assignWeights(net, tensors, source);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return net;
}
