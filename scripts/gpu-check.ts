/**
 * `npm run gpu-check [-- --engines tensorflow-gpu,tensorflow,webgpu] [--batch 2]`: checks every GPU
 * (or native) engine that loads on this machine against wasm. Each engine runs, in its own process
 * (tfjs-node and tfjs-node-gpu both register the 'tensorflow' backend, so one process holds one),
 * one training step and one inference of the same small RetinaNet on the same two synthetic images:
 * the loss parts, the gradients and the outputs after the step are compared with wasm's, and each
 * engine passes or fails against the tolerances below.
 *
 * Exit: 0 every engine that loads agrees with wasm — or none loads ("no GPU engine loads here");
 * 1 an engine disagrees, crashed, or is tensorflow-gpu running without a GPU device; 2 bad flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { EngineUnavailableError, ENGINE_ORDER, selectEngine, type EngineName } from '@retina/engine/node';
import { createRetinaNet, type ImageTargets, type RetinaNetConfigInput } from '@retina/retinanet';

/** The engines checked by default: those that can run on a GPU, and native TensorFlow. */
export const GPU_ENGINES: readonly EngineName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu'];
/** What every engine is compared with. */
export const REFERENCE: EngineName = 'wasm';

/**
 * Tolerances, relative to the reference's scale (max |value|). They allow the TF32 convolutions and
 * matrix products that TensorFlow uses by default on Ampere and newer GPUs (10-bit mantissa, about 1e-3
 * relative per product; NVIDIA_TF32_OVERRIDE=0 turns them off) and float32 sums in another order; a
 * wrong kernel is off by far more.
 */
export const TOLERANCE = { loss: 5e-3, gradients: 2e-2, outputs: 1e-2 } as const;

/** The small detector: narrow ResNet (width 8, batch-statistics BN), FPN 16, one 16-channel head conv, 2 classes. */
const DETECTOR: RetinaNetConfigInput = { numClasses: 2, seed: 0, backbone: { depth: 'narrow', width: 8, norm: 'bn' }, fpn: { channels: 16 }, head: { convs: 1, channels: 16 } };
const IMAGE_SIZE = 128;
/** Images per step (--batch). */
export const DEFAULT_BATCH = 2;
/** SGD step size of the training step (small: the outputs after it stay comparable). */
const LEARNING_RATE = 1e-3;
/** Exit status of a child whose engine does not load. */
const UNAVAILABLE = 3;

/** `batch` smooth synthetic images (0..255) with one box of each class, the same on every engine. */
function checkInput(batch: number): { images: Float32Array; targets: ImageTargets[] } {
  const images = Float32Array.from({ length: batch * IMAGE_SIZE * IMAGE_SIZE * 3 }, (_, i) => 127.5 * (1 + Math.sin(i * 0.013) * Math.cos(i * 0.0007)));
  const targets = Array.from({ length: batch }, (_, k) => ({
    boxes: Float32Array.from([8 + 4 * k, 12, 70 + 6 * k, 60, 60, 56 - 2 * k, 120, 124]),
    labels: Int32Array.from([0, 1]),
  }));
  return { images, targets };
}

/** What one engine computed. */
export interface EngineRun {
  engine: EngineName;
  /** The engine line (`engine: tensorflow-gpu (CUDA, …)`). */
  describe: string;
  /** tfjs-node-gpu's own report of a GPU device; undefined where the backend does not say. */
  usingGpu?: boolean;
  loss: { total: number; cls: number; box: number };
  /** Every gradient of the step, concatenated in variable order. */
  gradients: number[];
  /** The variables of `gradients`: name and number of values, in order. */
  variables: [string, number][];
  /** Logits then box deltas of both images after the step (inference, running statistics). */
  outputs: number[];
  stepMs: number;
  inferMs: number;
}

/** One engine's outcome: it did not load, it failed, or it ran and was compared. */
export type EngineResult =
  | { engine: EngineName; status: 'unavailable'; reason: string }
  | { engine: EngineName; status: 'crashed'; reason: string }
  | { engine: EngineName; status: 'ran'; run: EngineRun; diff: Diff; pass: boolean; problems: string[] };

/** Max abs differences from the reference, and each relative to the reference's max |value|. */
export interface Diff {
  loss: number;
  gradients: number;
  outputs: number;
  relative: { loss: number; gradients: number; outputs: number };
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

const scale = (values: readonly number[]): number => values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);

/** The variable whose gradient holds the largest abs difference. */
function worstVariable(run: EngineRun, ref: EngineRun): string {
  let worst = { name: '', diff: -1 };
  let offset = 0;
  for (const [name, size] of ref.variables) {
    const d = maxAbsDiff(run.gradients.slice(offset, offset + size), ref.gradients.slice(offset, offset + size));
    if (d > worst.diff) worst = { name, diff: d };
    offset += size;
  }
  return worst.name;
}

/** Compares `run` with the reference; `problems` says what exceeded its tolerance. */
export function compare(run: EngineRun, ref: EngineRun): { diff: Diff; pass: boolean; problems: string[] } {
  const refLoss = [ref.loss.total, ref.loss.cls, ref.loss.box];
  const loss = maxAbsDiff([run.loss.total, run.loss.cls, run.loss.box], refLoss);
  const gradients = maxAbsDiff(run.gradients, ref.gradients);
  const outputs = maxAbsDiff(run.outputs, ref.outputs);
  const relative = { loss: loss / scale(refLoss), gradients: gradients / scale(ref.gradients), outputs: outputs / scale(ref.outputs) };
  const problems = (['loss', 'gradients', 'outputs'] as const)
    .filter((k) => !(relative[k] <= TOLERANCE[k]))
    .map((k) => `${k} differ by ${relative[k].toExponential(1)} of their scale (tolerance ${TOLERANCE[k]})${k === 'gradients' ? `; worst: ${worstVariable(run, ref)}` : ''}`);
  if (run.engine === 'tensorflow-gpu' && run.usingGpu === false) problems.push('tfjs-node-gpu loaded but uses no GPU device (CUDA or cuDNN libraries not found: see the README)');
  return { diff: { loss, gradients, outputs, relative }, pass: problems.length === 0, problems };
}

/** The report's text and the exit status. */
export function summarize(results: readonly EngineResult[], ref?: EngineRun, batch = DEFAULT_BATCH): { text: string; exitCode: 0 | 1 } {
  const lines = [`gpu-check: one training step and one inference of a small RetinaNet (${batch} × ${IMAGE_SIZE}² images) per engine, against ${REFERENCE}`];
  for (const r of results.filter((x) => x.status === 'unavailable')) lines.push(`  ${r.engine}: does not load: ${r.reason}`);
  const loaded = results.filter((x) => x.status !== 'unavailable');
  if (loaded.length === 0) {
    lines.push(`no GPU engine loads here (${results.map((r) => r.engine).join(', ')}): nothing to check`);
    return { text: lines.join('\n'), exitCode: 0 };
  }
  if (ref) lines.push(`  ${REFERENCE} (reference): ${ref.describe}; loss ${ref.loss.total.toFixed(6)} (cls ${ref.loss.cls.toFixed(6)}, box ${ref.loss.box.toFixed(6)}); step ${ref.stepMs.toFixed(0)} ms, inference ${ref.inferMs.toFixed(0)} ms`);
  for (const r of loaded) {
    if (r.status === 'crashed') {
      lines.push(`  ${r.engine}: FAIL: ${r.reason}`);
      continue;
    }
    if (r.status !== 'ran') continue;
    const d = r.diff;
    const gpu = r.run.usingGpu === undefined ? '' : `; GPU device: ${r.run.usingGpu ? 'yes' : 'no'}`;
    lines.push(
      `  ${r.engine}: ${r.pass ? 'pass' : 'FAIL'}: ${r.run.describe}${gpu}\n` +
        `    max abs diff: loss ${d.loss.toExponential(2)}, gradients ${d.gradients.toExponential(2)}, outputs ${d.outputs.toExponential(2)}` +
        ` (relative ${d.relative.loss.toExponential(1)} / ${d.relative.gradients.toExponential(1)} / ${d.relative.outputs.toExponential(1)};` +
        ` tolerances ${TOLERANCE.loss} / ${TOLERANCE.gradients} / ${TOLERANCE.outputs}); step ${r.run.stepMs.toFixed(0)} ms, inference ${r.run.inferMs.toFixed(0)} ms` +
        r.problems.map((p) => `\n    ${p}`).join(''),
    );
  }
  const failed = loaded.filter((r) => r.status !== 'ran' || !r.pass).length;
  lines.push(failed ? `${failed} of ${loaded.length} engines FAIL` : `all ${loaded.length} engines that load agree with ${REFERENCE}`);
  return { text: lines.join('\n'), exitCode: failed ? 1 : 0 };
}

/** In the child process: starts `engine`, runs the step and the inference, writes the EngineRun to `out`. */
async function child(engine: EngineName, out: string, batch: number): Promise<number> {
  let report;
  try {
    report = await selectEngine({ backend: engine });
  } catch (e) {
    if (!(e instanceof EngineUnavailableError)) throw e;
    writeFileSync(out, JSON.stringify({ reason: e.message.replace(/^engine '[^']+' is not available: /, '') }));
    return UNAVAILABLE;
  }
  const backend = tf.backend() as { isGPUPackage?: boolean; isUsingGpuDevice?: boolean };
  const net = createRetinaNet(DETECTOR);
  const data = checkInput(batch);
  const x = tf.tensor4d(data.images, [batch, IMAGE_SIZE, IMAGE_SIZE, 3]);
  const vars = net.variables;
  let t0 = performance.now();
  let parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const l = net.computeLosses(x, data.targets, { training: true });
    parts = [tf.keep(l.cls), tf.keep(l.box)];
    return l.total;
  }, vars);
  const [total, cls, box] = [value, ...parts].map((t) => t.dataSync()[0]);
  const gradients = vars.flatMap((v) => Array.from(grads[v.name].dataSync()));
  const variables = vars.map((v): [string, number] => [v.name, v.size]);
  tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name], LEARNING_RATE)))));
  const stepMs = performance.now() - t0;
  tf.dispose([value, ...parts, ...Object.values(grads)]);
  t0 = performance.now();
  const { logits, deltas } = net.forward(x, false);
  const outputs = [...logits.dataSync(), ...deltas.dataSync()];
  const inferMs = performance.now() - t0;
  tf.dispose([logits, deltas, x]);
  net.dispose();
  const run: EngineRun = {
    engine,
    describe: report.describe(),
    ...(backend.isGPUPackage ? { usingGpu: Boolean(backend.isUsingGpuDevice) } : {}),
    loss: { total, cls, box },
    gradients,
    variables,
    outputs,
    stepMs,
    inferMs,
  };
  writeFileSync(out, JSON.stringify(run));
  return 0;
}

/** Runs `engine` in a child process (its stderr — TensorFlow's and Vulkan's logs — is kept out of the report). */
function runEngine(engine: EngineName, dir: string, batch: number): EngineRun | { unavailable: string } | { crashed: string } {
  const out = join(dir, `${engine}.json`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', engine, '--out', out, '--batch', String(batch)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status === UNAVAILABLE) return { unavailable: JSON.parse(readFileSync(out, 'utf8')).reason };
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').filter((l) => /error/i.test(l)).pop() ?? `exited with ${r.status ?? r.signal}`;
    return { crashed: last.trim() };
  }
  return JSON.parse(readFileSync(out, 'utf8')) as EngineRun;
}

/** Checks `engines` against the reference; returns the results and the reference run (when one loaded). */
export function checkEngines(engines: readonly EngineName[], batch = DEFAULT_BATCH): { results: EngineResult[]; ref?: EngineRun } {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-check-'));
  try {
    const runs = engines.map((engine) => ({ engine, r: runEngine(engine, dir, batch) }));
    if (runs.every(({ r }) => 'unavailable' in r)) {
      return { results: runs.map(({ engine, r }) => ({ engine, status: 'unavailable', reason: (r as { unavailable: string }).unavailable })) };
    }
    const ref = runEngine(REFERENCE, dir, batch);
    if (!('loss' in ref)) throw new Error(`the reference engine ${REFERENCE} did not run: ${'unavailable' in ref ? ref.unavailable : ref.crashed}`);
    const results = runs.map(({ engine, r }): EngineResult => {
      if ('unavailable' in r) return { engine, status: 'unavailable', reason: r.unavailable };
      if ('crashed' in r) return { engine, status: 'crashed', reason: r.crashed };
      return { engine, status: 'ran', run: r, ...compare(r, ref) };
    });
    return { results, ref };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseEngines(list: string): EngineName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !ENGINE_ORDER.includes(n as EngineName) || n === REFERENCE);
  if (bad !== undefined || names.length === 0) {
    throw new Error(`--engines: give a comma-separated list of ${ENGINE_ORDER.filter((e) => e !== REFERENCE).join(', ')} (got '${list}')`);
  }
  return names as EngineName[];
}

async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const batch = Number(flag('--batch') ?? DEFAULT_BATCH);
  const childEngine = flag('--child');
  if (childEngine !== undefined) return child(childEngine as EngineName, flag('--out') as string, batch);
  let engines: EngineName[];
  try {
    engines = parseEngines(flag('--engines') ?? GPU_ENGINES.join(','));
    if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`--batch: give an integer ≥ 1 (got ${flag('--batch')})`);
  } catch (e) {
    process.stderr.write(`gpu-check: ${(e as Error).message}\n`);
    return 2;
  }
  const { results, ref } = checkEngines(engines, batch);
  const { text, exitCode } = summarize(results, ref, batch);
  process.stdout.write(`${text}\n`);
  return exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`gpu-check: internal error (please report it):\n${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
