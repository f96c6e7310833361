/**
 * The tfjs `model.json` + weight-shard layout, checked: structure of the JSON, dtypes and shapes of
 * every weight, and the byte length of each group's shards against what its weights need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError } from './errors';
import { checkGroupBytes, checkWeightsManifest, weightBytes } from './weights-manifest';

export const MODEL_JSON = 'model.json';

/** Shard names as tfjs writes them: group1-shard1of2.bin, group1-shard2of2.bin. */
export function shardNames(bytes: number, shardBytes: number): string[] {
  const n = Math.max(1, Math.ceil(bytes / shardBytes));
  return Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
}

/** Parses and checks `dir/model.json` (structure only; shards are read by readShards). */
export function readModelJson(dir: string): { file: string; json: tf.io.ModelJSON } {
  const file = join(dir, MODEL_JSON);
  if (!existsSync(file)) throw new ModelFormatError(file, 'missing (not a saved model directory)');
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFormatError(file, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(file, 'must hold a JSON object');
  checkWeightsManifest(file, json.weightsManifest);
  return { file, json };
}

async function readGroup(dir: string, file: string, group: tf.io.WeightsManifestConfig[number]): Promise<Uint8Array[]> {
  weightBytes(file, group.weights); // dtypes and shapes checked before any shard is read
  const shards = group.paths.map((p) => join(dir, p));
  for (const shard of shards) {
    if (!(await stat(shard).catch(() => undefined))?.isFile()) throw new ModelFormatError(shard, 'missing weight shard');
  }
  const parts = await Promise.all(shards.map((s) => readFile(s)));
  checkGroupBytes(file, shards, group.weights, parts.reduce((n, b) => n + b.byteLength, 0));
  return parts;
}

/** All weights of a checked manifest, every group's byte length verified before anything is decoded. */
export async function readShards(dir: string, file: string, manifest: tf.io.WeightsManifestConfig): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const parts: Uint8Array[] = [];
  for (const group of manifest) parts.push(...(await readGroup(dir, file, group)));
  const data = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return { specs: manifest.flatMap((g) => g.weights), data: data.buffer };
}
