/**
 * File-system model I/O in the tfjs format — `model.json` (topology/metadata + a standard
 * weightsManifest) and binary weight shards of at most 4 MiB — usable on every engine. Saving goes
 * through `writeDirAtomically`, so a model directory is either the old complete model or the new one.
 * Loading checks every shard against the manifest before any tensor is made.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveAtomicDir, writeDirAtomically } from './atomic-dir';
import { ModelFormatError } from './errors';
import { MODEL_JSON, readModelJson, readShards, shardNames } from './manifest';
import { weightBytes } from './weights-manifest';

export { MODEL_JSON };

/** Largest weight shard, as tfjs's converter writes them. */
export const SHARD_BYTES = 4 * 1024 * 1024;

/** Writes one file completely and durably. */
export type FileWriter = (path: string, data: Uint8Array | string) => Promise<void>;

export interface FileSystemIOOptions {
  /** Largest weight shard in bytes. Default SHARD_BYTES (4 MiB). */
  shardBytes?: number;
  /** Writes each file of a save (default: write + fsync); injectable to simulate failing disks. */
  writeFile?: FileWriter;
}

/** Writes and fsyncs a file: the directory swap that follows must not publish unflushed data. */
const writeDurable: FileWriter = async (path, data) => {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
};

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  return data === undefined ? new Uint8Array(0) : new Uint8Array(new tf.io.CompositeArrayBuffer(data).slice());
}

/** The model.json of `artifacts` (the fields tfjs's own handlers write) with `paths` as its one shard group. */
function modelJson(artifacts: tf.io.ModelArtifacts, paths: string[]): tf.io.ModelJSON {
  const { modelTopology, format, generatedBy, convertedBy, trainingConfig, signature, userDefinedMetadata, modelInitializer, initializerSignature } = artifacts;
  const optional = { trainingConfig, signature, userDefinedMetadata, modelInitializer, initializerSignature };
  return {
    modelTopology: modelTopology as object,
    format,
    generatedBy,
    convertedBy,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v != null)),
  };
}

/** The weight bytes of `artifacts`, checked against their specs; `file` (the target's model.json) names errors. */
function checkedWeightBytes(file: string, artifacts: tf.io.ModelArtifacts): Uint8Array {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new ModelFormatError(file, 'binary (protobuf) model topologies are not supported');
  const bytes = toBytes(artifacts.weightData);
  const want = weightBytes(file, artifacts.weightSpecs ?? []);
  if (bytes.byteLength !== want) throw new ModelFormatError(file, `weight data has ${bytes.byteLength} bytes but its specs need ${want}`);
  return bytes;
}

async function writeModel(dir: string, artifacts: tf.io.ModelArtifacts, bytes: Uint8Array, shardBytes: number, write: FileWriter): Promise<void> {
  const paths = shardNames(bytes.byteLength, shardBytes);
  for (const [i, p] of paths.entries()) await write(join(dir, p), bytes.subarray(i * shardBytes, (i + 1) * shardBytes));
  await write(join(dir, MODEL_JSON), JSON.stringify(modelJson(artifacts, paths)));
}

async function readModel(dirIn: string): Promise<tf.io.ModelArtifacts> {
  const dir = resolveAtomicDir(dirIn) ?? dirIn;
  const { file, json } = readModelJson(dir);
  const { specs, data } = await readShards(dir, file, json.weightsManifest);
  return tf.io.getModelArtifactsForJSONSync(json, specs, data);
}

/**
 * A tf.io.IOHandler that saves to / loads from directory `dir` (model.json + shards), e.g.
 * `model.save(fileSystemIO('out/m'))`, `tf.loadLayersModel(fileSystemIO('out/m'))`.
 */
export function fileSystemIO(dir: string, opts: FileSystemIOOptions = {}): tf.io.IOHandler {
  const { shardBytes = SHARD_BYTES, writeFile = writeDurable } = opts;
  if (!(Number.isInteger(shardBytes) && shardBytes > 0)) {
    throw new ModelFormatError(dir, `shardBytes must be a positive integer (got ${shardBytes})`);
  }
  return {
    save: async (artifacts) => {
      const bytes = checkedWeightBytes(join(dir, MODEL_JSON), artifacts);
      await writeDirAtomically(dir, (staging) => writeModel(staging, artifacts, bytes, shardBytes, writeFile));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => readModel(dir),
  };
}

/** Saves named tensors (+ JSON metadata in model.json's userDefinedMetadata) as a tfjs weights directory. */
export async function saveTensors(dir: string, tensors: tf.NamedTensorMap, metadata?: object, opts?: FileSystemIOOptions): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await fileSystemIO(dir, opts).save!({
    format: 'retina-tensors',
    generatedBy: `@tensorflow/tfjs-core ${tf.version_core}`,
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: metadata as Record<string, object> | undefined,
  });
}

/** Loads what saveTensors wrote (or any tfjs weights directory); the caller owns (and disposes) the tensors. */
export async function loadTensors(dir: string): Promise<{ tensors: tf.NamedTensorMap; metadata: Record<string, unknown> | undefined }> {
  const artifacts = await readModel(dir);
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  return { tensors, metadata: artifacts.userDefinedMetadata };
}

/** Reads only the metadata of a saved directory (no shards, no tensors, no engine needed). */
export function readMetadata(dir: string): Record<string, unknown> | undefined {
  return readModelJson(resolveAtomicDir(dir) ?? dir).json.userDefinedMetadata as Record<string, unknown> | undefined;
}
