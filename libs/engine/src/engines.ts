/**
 * How each engine is started inside the one @tensorflow/tfjs-core instance. Every start function either
 * leaves its backend active and returns what runs, or throws an Error whose first line is the reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from './training-kernels';

export type EngineName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Loads a module by name; injectable so tests can simulate missing or broken packages. */
export type ModuleLoader = (name: string) => Promise<unknown>;

/** The packages an engine loads, in order (the first that is missing is the one to install). */
export const ENGINE_PACKAGES: Record<EngineName, readonly string[]> = {
  'tensorflow-gpu': ['@tensorflow/tfjs-node-gpu'],
  tensorflow: ['@tensorflow/tfjs-node'],
  webgpu: ['webgpu', '@tensorflow/tfjs-backend-webgpu'],
  wasm: ['@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs-backend-cpu'],
};

export interface StartContext {
  load: ModuleLoader;
  /** Requested CPU threads; undefined: the engine's default. */
  threads: number | undefined;
  webgpuTimeoutMs: number;
}

/** What a start function reports: the active tfjs backend and what runs. */
interface Backend {
  tfBackend: string;
  /** What runs, for the report line (e.g. "SIMD, 1 thread"). */
  detail: string;
}

export interface Started extends Backend {
  /** Our training kernels registered for `tfBackend` (see training-kernels.ts). */
  kernelsAdded: string[];
}

export const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0].trim();

/** Rejects with `message` when `promise` has not settled within `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The reason a backend factory fails: tfjs's setBackend only logs it and returns false. */
async function factoryFailure(name: string): Promise<string> {
  try {
    const backend = await tf.findBackendFactory(name)?.();
    backend?.dispose();
    return `tfjs could not initialise the '${name}' backend`;
  } catch (e) {
    return firstLine(e);
  }
}

/** Makes `name` the active backend, or throws with the factory's own reason. */
async function activate(name: string): Promise<void> {
  if (!tf.findBackendFactory(name)) {
    throw new Error(
      `no '${name}' backend was registered with this @tensorflow/tfjs-core ${tf.version_core} (all @tensorflow/* packages must be one version)`,
    );
  }
  if (!(await tf.setBackend(name))) throw new Error(await factoryFailure(name));
  await tf.ready();
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Undoes what a failed tfjs-node(-gpu) load registered for 'tensorflow' (it registers its kernels
 * before loading its binding): the other native package must register its own, not warn about ours.
 */
function dropPartialNative(): void {
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
}

/** tfjs-node(-gpu): libtensorflow sizes its thread pools from these variables when it starts. */
async function startNative(engine: 'tensorflow-gpu' | 'tensorflow', ctx: StartContext): Promise<Backend> {
  if (ctx.threads !== undefined) {
    process.env.TF_NUM_INTRAOP_THREADS = String(ctx.threads);
    process.env.TF_NUM_INTEROP_THREADS = String(ctx.threads);
  }
  const fresh = !tf.findBackendFactory('tensorflow') && tf.getKernelsForBackend('tensorflow').length === 0;
  try {
    await ctx.load(ENGINE_PACKAGES[engine][0]);
    await activate('tensorflow');
  } catch (e) {
    if (fresh) dropPartialNative();
    throw e;
  }
  const threads = ctx.threads === undefined ? 'default threads' : plural(ctx.threads, 'thread');
  return { tfBackend: 'tensorflow', detail: `${engine === 'tensorflow-gpu' ? 'CUDA' : 'libtensorflow CPU'}, ${threads}` };
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(): Promise<{ info?: { description?: string; vendor?: string } } | null>;
}

/** Dawn (the `webgpu` package) as `navigator.gpu`, then tfjs's WebGPU backend on it. */
async function startWebgpu(ctx: StartContext): Promise<Backend> {
  const dawn = (await ctx.load('webgpu')) as DawnModule;
  const gpu = dawn.create([]);
  const ms = ctx.webgpuTimeoutMs;
  const adapter = await withTimeout(gpu.requestAdapter(), ms, `no WebGPU adapter within ${ms} ms`);
  if (!adapter) throw new Error('no WebGPU adapter (Dawn needs a Vulkan driver for a GPU)');
  const g = globalThis as Record<string, unknown>;
  Object.assign(g, dawn.globals);
  if (typeof g.navigator !== 'object' || g.navigator === null) g.navigator = {};
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true });
  await ctx.load('@tensorflow/tfjs-backend-webgpu');
  await withTimeout(activate('webgpu'), ms, `the WebGPU device did not start within ${ms} ms`);
  return { tfBackend: 'webgpu', detail: `Dawn, ${adapter.info?.description || adapter.info?.vendor || 'unnamed adapter'}` };
}

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * tfjs-backend-wasm: its Node bundle finds its .wasm files beside itself (no setWasmPaths needed) and
 * picks the SIMD binary when WebAssembly SIMD validates; it never runs threads in Node (tfjs#3830).
 */
async function startWasm(ctx: StartContext): Promise<Backend> {
  const wasm = (await ctx.load('@tensorflow/tfjs-backend-wasm')) as WasmModule;
  if (ctx.threads !== undefined) wasm.setThreadsCount(ctx.threads);
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  const capped = ctx.threads !== undefined && ctx.threads > threads ? ` (${ctx.threads} asked; tfjs wasm has no threads in Node)` : '';
  return { tfBackend: 'wasm', detail: `${simd ? 'SIMD' : 'no SIMD'}, ${plural(threads, 'thread')}${capped}` };
}

async function startCpu(ctx: StartContext): Promise<Backend> {
  await ctx.load('@tensorflow/tfjs-backend-cpu');
  await activate('cpu');
  // tfjs-backend-cpu prints "install tfjs-node" on first use; the report line already says why cpu runs
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse) backend.firstUse = false;
  return { tfBackend: 'cpu', detail: 'plain JavaScript, 1 thread' };
}

function startBackend(engine: EngineName, ctx: StartContext): Promise<Backend> {
  switch (engine) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return startNative(engine, ctx);
    case 'webgpu':
      return startWebgpu(ctx);
    case 'wasm':
      return startWasm(ctx);
    case 'cpu':
      return startCpu(ctx);
  }
}

/**
 * Starts `engine`, then registers our training kernels for its backend (cpu and wasm have some), after
 * its package registered its own: the package is loaded by then, so it cannot put its kernels back.
 */
export async function startEngine(engine: EngineName, ctx: StartContext): Promise<Started> {
  const backend = await startBackend(engine, ctx);
  return { ...backend, kernelsAdded: registerTrainingKernels(backend.tfBackend) };
}
