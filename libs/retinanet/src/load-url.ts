/**
 * Loads a detector over HTTP (a browser, or any runtime with `fetch`): the `model.json` that
 * `saveRetinaNet` / `retina-eval export` write (tfjs's `weightsManifest` + `userDefinedMetadata`) and
 * its weight shards, fetched relative to it. Every group's bytes are checked against what its
 * weights need before a tensor is made; the tensors then rebuild the detector (`restoreRetinaNet`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError, checkGroupBytes, checkWeightsManifest, weightBytes } from '@retina/engine';
import { restoreRetinaNet, type LoadRetinaNetOptions } from './io';
import type { RetinaNet } from './model';

export interface LoadFromUrlOptions extends LoadRetinaNetOptions {
  /** Fetches a URL (default: the global `fetch`); injectable for tests and custom transports. */
  fetch?: (url: string) => Promise<Response>;
}

/** `url` made absolute against the page's address, where there is one (a relative URL in a browser). */
function absolute(url: string): URL {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(url, base);
  } catch {
    throw new ModelFormatError(url, 'not a valid URL (give an absolute URL, or a relative one inside a page)');
  }
}

async function fetchOk(get: NonNullable<LoadFromUrlOptions['fetch']>, url: string): Promise<Response> {
  let response: Response;
  try {
    response = await get(url);
  } catch (e) {
    throw new ModelFormatError(url, `cannot fetch (${(e as Error).message})`);
  }
  if (!response.ok) throw new ModelFormatError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return response;
}

/** The bytes of every shard group, in manifest order, each group checked against its weights' size. */
async function fetchShards(get: NonNullable<LoadFromUrlOptions['fetch']>, modelUrl: URL, manifest: tf.io.WeightsManifestConfig): Promise<ArrayBuffer> {
  const groups = await Promise.all(
    manifest.map(async (group) => {
      weightBytes(modelUrl.href, group.weights); // dtypes and shapes checked before any shard is fetched
      const urls = group.paths.map((p) => new URL(p, modelUrl).href);
      const parts = await Promise.all(urls.map(async (u) => new Uint8Array(await (await fetchOk(get, u)).arrayBuffer())));
      checkGroupBytes(modelUrl.href, urls, group.weights, parts.reduce((n, p) => n + p.byteLength, 0));
      return parts;
    }),
  );
  const parts = groups.flat();
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return data.buffer;
}

/**
 * A detector from the URL of its `model.json` (e.g. `'model/model.json'` beside the page), in one call.
 * Errors are `ModelFormatError`s (a missing file, an HTTP error, a manifest or shard that does not
 * fit) and `RetinaNetModelError`s (metadata or weights that are not this detector), each naming the URL.
 */
export async function loadRetinaNetFromUrl(url: string, options: LoadFromUrlOptions = {}): Promise<RetinaNet> {
  const get = options.fetch ?? ((u: string) => fetch(u));
  const modelUrl = absolute(url);
  const response = await fetchOk(get, modelUrl.href);
  let json: tf.io.ModelJSON;
  try {
    json = (await response.json()) as tf.io.ModelJSON;
  } catch (e) {
    throw new ModelFormatError(modelUrl.href, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(modelUrl.href, 'must hold a JSON object');
  checkWeightsManifest(modelUrl.href, json.weightsManifest);
  const data = await fetchShards(get, modelUrl, json.weightsManifest);
  const tensors = tf.io.decodeWeights(data, json.weightsManifest.flatMap((g) => g.weights));
  try {
    return restoreRetinaNet(tensors, json.userDefinedMetadata as Record<string, unknown> | undefined, modelUrl.href, options);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
