/**
 * The tfjs `model.json` + weight-shard layout, checked: structure of the JSON, dtypes and shapes of
 * every weight, and the byte length of each group's shards against what its weights need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError } from './errors';

export const MODEL_JSON = 'model.json';

/** Bytes per element of the dtypes stored here (tfjs's fixed-size dtypes; 'string' weights are not supported). */
const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** How many weight names an error message lists before "…". */
const NAMES_SHOWN = 3;

const describeNames = (specs: tf.io.WeightsManifestEntry[]): string => {
  const names = specs.map((w) => w.name);
  return `[${names.slice(0, NAMES_SHOWN).join(', ')}${names.length > NAMES_SHOWN ? ', …' : ''}]`;
};

/** Bytes `specs` occupy in a shard group; `file` names the model.json (or directory) in errors. */
export function weightBytes(file: string, specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const s of specs) {
    if (s.quantization) throw new ModelFormatError(file, `weight '${s.name}' is quantized; quantized weights are not supported`);
    const per = DTYPE_BYTES[s.dtype];
    if (per === undefined) {
      throw new ModelFormatError(file, `weight '${s.name}' has unknown dtype '${s.dtype}' (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(s.shape) || s.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ModelFormatError(file, `weight '${s.name}' has an invalid shape ${JSON.stringify(s.shape)}`);
    }
    total += per * s.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** Shard names as tfjs writes them: group1-shard1of2.bin, group1-shard2of2.bin. */
export function shardNames(bytes: number, shardBytes: number): string[] {
  const n = Math.max(1, Math.ceil(bytes / shardBytes));
  return Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
}

function checkGroups(file: string, manifest: unknown): asserts manifest is tf.io.WeightsManifestConfig {
  if (!Array.isArray(manifest)) throw new ModelFormatError(file, 'has no "weightsManifest" list');
  const seen = new Set<string>();
  for (const [i, group] of manifest.entries()) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new ModelFormatError(file, `weightsManifest[${i}] needs "paths" and "weights" lists`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string' || p === '' || /[/\\]/.test(p) || p.startsWith('.')) {
        throw new ModelFormatError(file, `weightsManifest[${i}]: shard path ${JSON.stringify(p)} must be a plain file name`);
      }
    }
    for (const w of group.weights) {
      if (typeof w?.name !== 'string') throw new ModelFormatError(file, `weightsManifest[${i}]: a weight has no "name"`);
      if (seen.has(w.name)) throw new ModelFormatError(file, `weight '${w.name}' is listed twice`);
      seen.add(w.name);
    }
  }
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
  checkGroups(file, json.weightsManifest);
  return { file, json };
}

async function readGroup(dir: string, file: string, group: tf.io.WeightsManifestConfig[number]): Promise<Uint8Array[]> {
  const want = weightBytes(file, group.weights);
  const shards = group.paths.map((p) => join(dir, p));
  for (const shard of shards) {
    if (!(await stat(shard).catch(() => undefined))?.isFile()) throw new ModelFormatError(shard, 'missing weight shard');
  }
  const parts = await Promise.all(shards.map((s) => readFile(s)));
  const got = parts.reduce((n, b) => n + b.byteLength, 0);
  if (got !== want) {
    const where = shards.length === 1 ? shards[0] : `${shards[shards.length - 1]} (last of ${shards.length} shards)`;
    throw new ModelFormatError(
      where,
      `expected ${want} bytes for weights ${describeNames(group.weights)}, found ${got} (${got < want ? 'truncated?' : 'extra data'})`,
    );
  }
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
