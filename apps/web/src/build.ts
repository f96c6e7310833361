/**
 * Builds the page into a folder that any static server can serve, offline: index.html and
 * style.css, app.js (the page bundled with esbuild for browsers: our libs from their TypeScript
 * sources, tfjs-core and the WebGPU, WebGL and WebAssembly backends), tfjs-backend-wasm's .wasm files
 * (tfjs-wasm/), sample images (samples/ + samples.json) and, when a model is given, the model exported
 * as `retina-eval export` does (model/). Every file is written atomically (temporary file + rename).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { writeFileAtomic } from '@retina/engine/node';
import { UserError } from '@retina/errors';
import { exportRetinaNet, type ExportReport } from '@retina/retinanet/node';
import { MODEL_DIR, SAMPLES_DIR, SAMPLES_URL, WASM_DIR } from './site-layout';

/** apps/web (this file runs from src/ under tsx and jest, or from dist/ once built). */
export const WEB_ROOT = join(__dirname, '..');
const REPO_ROOT = join(WEB_ROOT, '..', '..');
const PAGE_ENTRY = join(WEB_ROOT, 'src', 'page', 'main.ts');
const STATIC_FILES = ['index.html', 'style.css'].map((f) => join(WEB_ROOT, 'src', 'site', f));
/** The bundled photos a page shows first (validation split of data/raccoon). */
export const DEFAULT_SAMPLES = ['raccoon-102.jpg', 'raccoon-107.jpg', 'raccoon-111.jpg', 'raccoon-117.jpg'].map((f) => join(REPO_ROOT, 'data', 'raccoon', 'images', f));

export interface SiteOptions {
  /** Folder to write the site into (created; files of an earlier build are replaced). */
  outDir: string;
  /** A saved model directory to export into `outDir/model`; without it, put one there yourself (`retina-eval export`). */
  model?: string;
  /** Images the page runs first. Default DEFAULT_SAMPLES. */
  samples?: readonly string[];
}

export interface SiteReport {
  outDir: string;
  /** app.js: minified and gzipped bytes, and the minified bytes that come from tfjs packages. */
  bundle: { bytes: number; gzip: number; tfjsBytes: number; ms: number };
  files: string[];
  model?: ExportReport;
}

/** `@retina/<lib>` → its TypeScript source entry; a `/node` entry is a bug in page code. */
const retinaSources: Plugin = {
  name: 'retina-sources',
  setup(b) {
    b.onResolve({ filter: /^@retina\// }, (args) => {
      const m = /^@retina\/([a-z-]+)$/.exec(args.path);
      if (!m) return { errors: [{ text: `${relative(REPO_ROOT, args.importer)} imports ${args.path}, which is not a browser entry` }] };
      return { path: join(REPO_ROOT, 'libs', m[1], 'src', 'index.ts') };
    });
  },
};

async function bundlePage(): Promise<{ code: Uint8Array; tfjsBytes: number; ms: number }> {
  const t0 = Date.now();
  const result = await build({
    entryPoints: [PAGE_ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['es2020'],
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'app.js',
    plugins: [retinaSources],
  });
  const output = Object.values(result.metafile.outputs)[0];
  const tfjsBytes = Object.entries(output.inputs)
    .filter(([path]) => path.includes('node_modules/@tensorflow/'))
    .reduce((n, [, v]) => n + v.bytesInOutput, 0);
  return { code: result.outputFiles[0].contents, tfjsBytes, ms: Date.now() - t0 };
}

/** Writes `outDir/path` atomically (folders created); a file-system error becomes a one-line UserError. */
async function writeSiteFile(outDir: string, path: string, data: string | Uint8Array): Promise<string> {
  const target = join(outDir, path);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UserError(`${target}: cannot write (${code}: ${(e as Error).message})`);
    throw e;
  }
  return path;
}

async function copyInto(outDir: string, sub: string, files: readonly string[]): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    const data = await readFile(f).catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`${f}: ${e.code === 'ENOENT' ? 'no such file' : `cannot read (${e.code}: ${e.message})`}`);
    });
    written.push(await writeSiteFile(outDir, join(sub, basename(f)), data));
  }
  return written;
}

/** tfjs-backend-wasm's binaries (plain, SIMD, threaded SIMD), beside its ESM entry. */
async function wasmFiles(): Promise<string[]> {
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/index.js'));
  return (await readdir(dist)).filter((f) => f.endsWith('.wasm')).map((f) => join(dist, f));
}

/** Builds the site (see the file comment); a saved model is exported with `exportRetinaNet`, which needs a started tfjs engine. */
export async function buildSite(options: SiteOptions): Promise<SiteReport> {
  const { outDir } = options;
  const samples = options.samples ?? DEFAULT_SAMPLES;
  const bundle = await bundlePage();
  const files = [await writeSiteFile(outDir, 'app.js', bundle.code)];
  files.push(...(await copyInto(outDir, '', STATIC_FILES)));
  files.push(...(await copyInto(outDir, WASM_DIR, await wasmFiles())));
  const sampleFiles = await copyInto(outDir, SAMPLES_DIR, samples);
  const list = sampleFiles.map((f) => ({ name: basename(f), url: basename(f) }));
  files.push(...sampleFiles, await writeSiteFile(outDir, SAMPLES_URL, `${JSON.stringify(list, null, 2)}\n`));
  const model = options.model === undefined ? undefined : await exportRetinaNet(options.model, join(outDir, MODEL_DIR));
  if (model) files.push(...model.files.map((f) => join(MODEL_DIR, f)));
  const bytes = bundle.code.byteLength;
  return { outDir, bundle: { bytes, gzip: gzipSync(bundle.code).byteLength, tfjsBytes: bundle.tfjsBytes, ms: bundle.ms }, files, model };
}
