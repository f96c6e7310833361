/**
 * Where a job's model comes from: a directory every worker can read (a shared volume, mounted at the
 * same path everywhere), or an http(s) URL of the directory (model.json and its weight shards), which
 * a worker downloads once into a directory of its own.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '@retina/errors';

/** A model given as an http(s) URL that could not be fetched. */
export class ModelFetchError extends UserError {}

export const isModelUrl = (source: string): boolean => /^https?:\/\//i.test(source);

/** What a job carries: a URL as given, a path made absolute (against the submitter's directory). */
export function jobModelSource(source: string): string {
  return isModelUrl(source) ? source : resolve(source);
}

/** `…/model` and `…/model/model.json` name the same directory. */
function directoryUrl(url: string): string {
  const base = url.replace(/\/model\.json$/i, '').replace(/\/+$/, '');
  return `${base}/`;
}

async function get(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelFetchError(`${url}: cannot fetch the model (${(e as Error).cause ?? (e as Error).message})`);
  }
  if (!response.ok) throw new ModelFetchError(`${url}: cannot fetch the model (HTTP ${response.status} ${response.statusText})`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Downloads the model directory at `url` into a new directory under `parent`: model.json, then (unless
 * `weights` is false) every path of its weightsManifest.
 * @returns the new directory (the caller removes it when done)
 * @throws ModelFetchError naming the URL that failed
 */
export async function fetchModel(url: string, parent: string, { weights = true } = {}): Promise<string> {
  const base = directoryUrl(url);
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'model-'));
  try {
    const modelJson = await get(`${base}model.json`);
    let manifest: { paths?: unknown }[];
    try {
      manifest = (JSON.parse(modelJson.toString('utf8')) as { weightsManifest?: { paths?: unknown }[] }).weightsManifest ?? [];
    } catch {
      throw new ModelFetchError(`${base}model.json: not JSON`);
    }
    writeFileSync(join(dir, 'model.json'), modelJson);
    const paths = weights ? manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths : [])) : [];
    for (const path of paths) {
      const file = String(path);
      if (file.includes('..') || file.startsWith('/')) throw new ModelFetchError(`${base}model.json: weight path '${file}' leaves the model directory`);
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), await get(new URL(file, base).href));
    }
    return dir;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A directory's identity for caching: its path and when its model.json last changed. */
export function modelStamp(dir: string): string {
  const file = join(dir, 'model.json');
  return existsSync(file) ? `${dir}@${statSync(file).mtimeMs}` : dir;
}
