/**
 * The browser check of the model libs (DESIGN.md, "Browser rule"): bundles the main entries of
 * @retina/anchors, @retina/image, @retina/focal-loss, @retina/fpn and @retina/retinanet (and of @retina/engine) with
 * esbuild for `platform: 'browser'`, from their TypeScript sources, twice:
 *   1. tfjs external (`@tensorflow/*` left to the user's own tfjs, as the peer dependencies say): our
 *      code alone — its size, and proof that it reaches no Node built-in (node:*, fs, worker_threads, …),
 *      no Node-only module of ours, no sharp, and no free Node global (process, Buffer, __dirname, …);
 *   2. tfjs included (tfjs-core, tfjs-layers, tfjs-backend-cpu; one tfjs-core), then run in a bare V8
 *      context (no require, process or Buffer): the cpu backend, a soft-target focal loss, anchors and a
 *      tiny RetinaNet forward pass.
 * Prints a summary (or, with --json, the report as JSON); exits 1 when a check fails. `--import M`
 * adds `import 'M'` to the entry (M relative to the repository root or a package name): the spec
 * uses it to show that the checks fail for a Node-only module.
 * Usage: npx tsx scripts/browser-bundle.ts [--json] [--import M]...
 */
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { runInContext, createContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { build, type BuildResult, type Message, type Plugin } from 'esbuild';

const ROOT = join(__dirname, '..');

/** What a browser app imports: every browser-safe main entry of the model libs. */
const ENTRY = `
export * as anchors from '@retina/anchors';
export * as image from '@retina/image';
export * as focalLoss from '@retina/focal-loss';
export * as fpn from '@retina/fpn';
export * as retinanet from '@retina/retinanet';
export * as engine from '@retina/engine';
`;

/** Node globals a browser lacks; esbuild `define` renames only free references, so a marker in the output is a use. */
const NODE_GLOBALS = ['process', 'Buffer', '__dirname', '__filename', 'global', 'setImmediate'];
const MARKER = '__retina_node_global_';

const BUILTINS = new Set(builtinModules);
const isBuiltin = (path: string): boolean => path.startsWith('node:') || BUILTINS.has(path.split('/')[0]);

export interface BundleReport {
  ok: boolean;
  problems: string[];
  ms: number;
  /** Our code, tfjs external: minified bytes and gzipped bytes. */
  ours: { bytes: number; gzip: number; modules: string[] };
  /** With tfjs-core, tfjs-layers and tfjs-backend-cpu. */
  withTfjs: { bytes: number; gzip: number; tfjsCoreCopies: number };
  /** Built-ins that dependencies import and map to nothing for browsers (their package.json `browser` field). */
  disabledByDependencies: string[];
  smoke?: { backend: string; focalLoss: number; anchors: number; logitsShape: number[]; deltasShape: number[]; finite: boolean; nodeGlobals: string[] };
}

/** `@retina/<lib>` → its TypeScript source entry (as jest's moduleNameMapper); `/node` entries are refused. */
function retinaSources(problems: string[]): Plugin {
  return {
    name: 'retina-sources',
    setup(b) {
      b.onResolve({ filter: /^@retina\// }, (args) => {
        const m = /^@retina\/([a-z-]+)(\/node)?$/.exec(args.path);
        if (!m || m[2]) {
          problems.push(`${relative(ROOT, args.importer)} imports ${args.path}, which is not a browser entry`);
          return { path: args.path, external: true };
        }
        return { path: join(ROOT, 'libs', m[1], 'src', 'index.ts') };
      });
    },
  };
}

/** Fails on a Node built-in imported by our code; notes those a dependency imports (esbuild applies its browser map or fails). */
function nodeBuiltins(problems: string[], disabled: Set<string>): Plugin {
  return {
    name: 'node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        const from = relative(ROOT, args.importer);
        if (!from.includes('node_modules/')) problems.push(`${from} imports the Node built-in '${args.path}'`);
        else disabled.add(`${from.replace(/^.*node_modules\//, '')} → ${args.path}`);
        return undefined;
      });
    },
  };
}

const messages = (what: string, list: Message[]): string[] => list.map((m) => `${what}: ${m.text}${m.location ? ` (${m.location.file}:${m.location.line})` : ''}`);

type Bundle = BuildResult & { metafile: NonNullable<BuildResult['metafile']>; outputFiles: NonNullable<BuildResult['outputFiles']> };

async function bundle(entry: string, includeTfjs: boolean, problems: string[], disabled: Set<string>): Promise<Bundle> {
  const result = await build({
    stdin: { contents: includeTfjs ? `${entry}export * as tf from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\n` : entry, resolveDir: ROOT, sourcefile: 'browser-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'retina',
    target: 'es2020',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: includeTfjs ? [] : ['@tensorflow/*'],
    define: includeTfjs ? {} : Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${MARKER}${g}`])),
    plugins: [retinaSources(problems), nodeBuiltins(problems, disabled)],
  });
  problems.push(...messages(includeTfjs ? 'esbuild warning (with tfjs)' : 'esbuild warning', includeTfjs ? [] : result.warnings));
  return result as Bundle;
}

/** Our modules in the bundle, relative to the root; Node-only ones are problems. */
function ourModules(metafile: { inputs: Record<string, unknown> }, problems: string[]): string[] {
  const ours = Object.keys(metafile.inputs).filter((p) => p.startsWith('libs/'));
  const nodeOnly = /\/src\/(node|select|engines|io|manifest|atomic-dir|atomic-file|stdout|pretrained-dir|model-dir|replica)\.ts$|\/parallel\//;
  for (const p of ours) if (nodeOnly.test(p) && !p.startsWith('libs/retinanet/src/io.ts')) problems.push(`a Node-only module is in the browser bundle: ${p}`);
  for (const p of Object.keys(metafile.inputs)) if (p.includes('node_modules/sharp/')) problems.push(`sharp is in the browser bundle (${p})`);
  return ours.sort();
}

/** Runs the tfjs-included bundle in a fresh V8 context with browser-like globals only. */
async function smoke(code: string): Promise<BundleReport['smoke']> {
  const sandbox: Record<string, unknown> = { console, setTimeout, clearTimeout, queueMicrotask, TextEncoder, TextDecoder, URL, performance, navigator: { userAgent: 'retina-browser-bundle-check' }, document: {} };
  const context = createContext(sandbox);
  runInContext('var window = globalThis; var self = globalThis;', context);
  runInContext(code, context, { filename: 'browser-bundle.js' });
  const run = `(async () => {
    const { tf, anchors, focalLoss, retinanet } = retina;
    await tf.setBackend('cpu');
    const loss = focalLoss.sigmoidFocalLoss(tf.tensor1d([0]), tf.tensor1d([0.5])).dataSync()[0];
    const net = retinanet.createRetinaNet({ numClasses: 2, seed: 1, backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] }, fpn: { channels: 16 }, head: { channels: 16, convs: 1 } });
    const out = net.forward(tf.zeros([1, 128, 128, 3]));
    const values = out.logits.dataSync();
    return { backend: tf.getBackend(), focalLoss: loss, anchors: anchors.generateAnchors(128, 128).length / 4, logitsShape: out.logits.shape, deltasShape: out.deltas.shape,
      finite: values.every(Number.isFinite), nodeGlobals: ['process', 'require', 'Buffer', '__dirname', 'module'].filter((g) => typeof globalThis[g] !== 'undefined') };
  })()`;
  return JSON.parse(JSON.stringify(await runInContext(run, context)));
}

/** Bundles ENTRY (plus `import 'M'` for each of `extraImports`) and runs every check. */
export async function checkBrowserBundle(extraImports: readonly string[] = []): Promise<BundleReport> {
  const entry = ENTRY + extraImports.map((m) => `import '${m}';\n`).join('');
  const t0 = Date.now();
  const problems: string[] = [];
  const disabled = new Set<string>();
  const report: BundleReport = { ok: false, problems, ms: 0, ours: { bytes: 0, gzip: 0, modules: [] }, withTfjs: { bytes: 0, gzip: 0, tfjsCoreCopies: 0 }, disabledByDependencies: [] };
  try {
    const ours = await bundle(entry, false, problems, disabled);
    const oursCode = ours.outputFiles[0].text;
    report.ours = { bytes: Buffer.byteLength(oursCode), gzip: gzipSync(oursCode).length, modules: ourModules(ours.metafile, problems) };
    for (const g of NODE_GLOBALS) if (oursCode.includes(`${MARKER}${g}`)) problems.push(`the browser bundle uses the Node global '${g}'`);
    const full = await bundle(entry, true, problems, disabled);
    const fullCode = full.outputFiles[0].text;
    const cores = new Set(Object.keys(full.metafile.inputs).filter((p) => p.includes('@tensorflow/tfjs-core/')).map((p) => p.slice(0, p.indexOf('@tensorflow/tfjs-core/'))));
    report.withTfjs = { bytes: Buffer.byteLength(fullCode), gzip: gzipSync(fullCode).length, tfjsCoreCopies: cores.size };
    if (cores.size !== 1) problems.push(`${cores.size} copies of @tensorflow/tfjs-core in the bundle`);
    report.smoke = await smoke(fullCode);
  } catch (e) {
    const failure = e as { errors?: Message[]; message?: string };
    problems.push(...(failure.errors ? messages('esbuild error', failure.errors) : [String(failure.message ?? e)]));
  }
  report.problems = [...new Set(problems)];
  report.disabledByDependencies = [...disabled].sort();
  report.ms = Date.now() - t0;
  report.ok = report.problems.length === 0;
  return report;
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

if (require.main === module) {
  const imports = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--import' ? [a] : []));
  checkBrowserBundle(imports).then((r) => {
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      console.log(`browser bundle ${r.ok ? 'ok' : 'FAILED'} in ${r.ms} ms`);
      console.log(`  our code (tfjs external): ${kb(r.ours.bytes)} minified, ${kb(r.ours.gzip)} gzipped, ${r.ours.modules.length} modules`);
      console.log(`  with tfjs-core + tfjs-layers + tfjs-backend-cpu: ${kb(r.withTfjs.bytes)} minified, ${kb(r.withTfjs.gzip)} gzipped`);
      if (r.smoke) console.log(`  run without Node globals: ${JSON.stringify(r.smoke)}`);
      for (const p of r.problems) console.log(`  problem: ${p}`);
    }
    process.exitCode = r.ok ? 0 : 1;
  });
}
