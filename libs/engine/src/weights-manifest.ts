/**
 * The checks of a tfjs `weightsManifest` that need no file system (browser-safe): its structure, and
 * the bytes each shard group must hold. manifest.ts (Node) reads directories with them; @retina/retinanet's
 * `loadRetinaNetFromUrl` checks what it fetches with them.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError } from './errors';

/** Bytes per element of the dtypes stored here (tfjs's fixed-size dtypes; 'string' weights are not supported). */
const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** How many weight names an error message lists before "…". */
const NAMES_SHOWN = 3;

const describeNames = (specs: tf.io.WeightsManifestEntry[]): string => {
  const names = specs.map((w) => w.name);
  return `[${names.slice(0, NAMES_SHOWN).join(', ')}${names.length > NAMES_SHOWN ? ', …' : ''}]`;
};

/** Bytes `specs` occupy in a shard group; `file` names the model.json (directory or URL) in errors. */
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

/**
 * Checks the structure of a `weightsManifest` (groups with `paths` and `weights`, shard paths that are
 * plain file names, no weight listed twice); `file` names the model.json (or URL) in errors.
 */
export function checkWeightsManifest(file: string, manifest: unknown): asserts manifest is tf.io.WeightsManifestConfig {
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

/**
 * Checks that a shard group holds the bytes its weights need: `got`, read from `shards` (paths or
 * URLs; the error names the last one), against the dtypes × shapes of `specs`.
 */
export function checkGroupBytes(file: string, shards: readonly string[], specs: tf.io.WeightsManifestEntry[], got: number): void {
  const want = weightBytes(file, specs);
  if (got === want) return;
  const where = shards.length === 1 ? shards[0] : `${shards[shards.length - 1]} (last of ${shards.length} shards)`;
  throw new ModelFormatError(where, `expected ${want} bytes for weights ${describeNames(specs)}, found ${got} (${got < want ? 'truncated?' : 'extra data'})`);
}
