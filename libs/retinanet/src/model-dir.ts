/**
 * Save / load a detector in a directory (Node only): its saved form (io.ts) as a tfjs weights
 * directory (model.json + shards) through @retina/engine/node's file-system I/O, written atomically;
 * and the export of a saved model for a web page (`retina-eval export`).
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@retina/errors';
import { loadTensors, readMetadata, saveTensors } from '@retina/engine/node';
import type { RetinaNetConfig } from './config';
import { restoreRetinaNet, savedConfig, savedForm, type LoadRetinaNetOptions } from './io';
import type { RetinaNet } from './model';

const MODEL_JSON = 'model.json';
const modelJson = (dir: string): string => `${dir}/${MODEL_JSON}`;

/** Writes every parameter (trainable and state) and the config to `dir` (atomically). */
export async function saveRetinaNet(net: RetinaNet, dir: string): Promise<void> {
  const { tensors, metadata } = savedForm(net);
  await saveTensors(dir, tensors, metadata);
}

/** The config saved in `dir`, without reading weights or needing an engine. */
export function readRetinaNetConfig(dir: string): RetinaNetConfig {
  return savedConfig(modelJson(dir), readMetadata(dir));
}

/** Rebuilds a detector saved by saveRetinaNet. */
export async function loadRetinaNet(dir: string, options: LoadRetinaNetOptions = {}): Promise<RetinaNet> {
  const { tensors, metadata } = await loadTensors(dir);
  try {
    return restoreRetinaNet(tensors, metadata, modelJson(dir), options);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** What `exportRetinaNet` wrote. */
export interface ExportReport {
  readonly dir: string;
  /** File names in `dir`: model.json and the weight shards. */
  readonly files: string[];
  readonly bytes: number;
  readonly config: RetinaNetConfig;
}

/**
 * Refuses an output folder that holds something other than a model: the atomic swap replaces the
 * whole folder, so `--out ~/Documents` must not be taken as "write a model here".
 */
async function checkExportTarget(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) throw new UserError(`${out}: exists and is not a folder; name a new or empty folder for the exported model`);
  const names = await readdir(out);
  if (names.length > 0 && !names.includes(MODEL_JSON)) {
    throw new UserError(`${out}: exists and holds files but no ${MODEL_JSON}; the export replaces the whole folder, so name a new or empty folder (or a previous export)`);
  }
}

/**
 * Writes the model saved in `modelDir` to `outDir` in the form a web page loads with one
 * `loadRetinaNetFromUrl(…/model.json)`: model.json (tfjs's weightsManifest, and the config — classes,
 * anchors, test size, thresholds, normalisation — in userDefinedMetadata) and its weight shards,
 * fetched over HTTP. The model is rebuilt on the way (so a model that does not load is not exported);
 * the folder is replaced atomically. Needs a started tfjs engine.
 */
export async function exportRetinaNet(modelDir: string, outDir: string): Promise<ExportReport> {
  await checkExportTarget(outDir);
  const net = await loadRetinaNet(modelDir);
  try {
    if (resolve(modelDir) !== resolve(outDir)) await saveRetinaNet(net, outDir);
    const files = (await readdir(outDir)).filter((f) => f === MODEL_JSON || f.endsWith('.bin')).sort();
    let bytes = 0;
    for (const f of files) bytes += (await stat(join(outDir, f))).size;
    return { dir: outDir, files, bytes, config: net.config };
  } finally {
    net.dispose();
  }
}
