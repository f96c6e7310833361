/**
 * Tensor-engine selection. Order (auto): CUDA through @tensorflow/tfjs-node-gpu, native TensorFlow
 * through @tensorflow/tfjs-node, WebGPU through @tensorflow/tfjs-backend-webgpu over Dawn (the
 * `webgpu` package; needs a Vulkan driver), WebAssembly (SIMD) and finally plain JavaScript. Every
 * better engine that did not load is reported with its reason; a requested engine that cannot load
 * is an error, never a silent fallback.
 */
import { readdirSync } from 'node:fs';
import { EngineOptionError, EngineUnavailableError } from './errors';
import { ENGINE_PACKAGES, firstLine, startEngine, type EngineName, type ModuleLoader, type StartContext, type Started } from './engines';

export type { EngineName, ModuleLoader };
export const ENGINE_ORDER: readonly EngineName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Default wait for a WebGPU adapter and device before webgpu counts as failed. */
export const WEBGPU_TIMEOUT_MS = 5000;

export interface SelectEngineOptions {
  /** 'auto' (default): the first engine of ENGINE_ORDER that loads. A named engine must load or this throws. */
  backend?: EngineName | 'auto';
  /**
   * CPU threads. tensorflow(-gpu): TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS (before the package
   * loads); wasm: setThreadsCount (Node runs 1 whatever is asked; the report says so). Default: the engine's own.
   */
  threads?: number;
  /** Receives progress lines ("trying engine webgpu", "webgpu: failed to load: …"). */
  log?: (line: string) => void;
  /** Module loader (default: require, then import() for ES modules). */
  load?: ModuleLoader;
  /** How long to wait for a WebGPU adapter, and then for its device. Default WEBGPU_TIMEOUT_MS. */
  webgpuTimeoutMs?: number;
  /**
   * Whether this machine can have a GPU for WebGPU (default `gpuDeviceVisible`). `auto` tries webgpu
   * only then: loading Dawn to find out prints Vulkan's complaints on stderr, which users read as a crash.
   */
  gpuVisible?: () => boolean;
}

/**
 * A GPU that Dawn could drive can exist here: a DRM render node or an NVIDIA device on Linux; on other
 * systems, always (Metal, D3D12).
 */
export function gpuDeviceVisible(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch {
    // no /dev/dri
  }
  try {
    return readdirSync('/dev').some((f) => /^nvidia\d+$/.test(f));
  } catch {
    return false;
  }
}

export interface SkippedEngine {
  engine: EngineName;
  /** `not installed (npm i <package>)` or `failed to load: <the loader's reason, one line>`. */
  reason: string;
}

export interface EngineReport {
  engine: EngineName;
  /** The tfjs backend name now active ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  tfBackend: string;
  /** What runs, e.g. "SIMD, 1 thread". */
  detail: string;
  /** The better engines that did not load, in order, with why (empty when one was requested). */
  skipped: SkippedEngine[];
  /** Our training kernels registered for the engine's backend (cpu and wasm; see registerTrainingKernels). */
  kernelsAdded: string[];
  /** One line for the user: `engine: wasm (SIMD, 1 thread) — tensorflow-gpu: not installed (…); …`. */
  describe(): string;
}

const isErrCode = (e: unknown, ...codes: string[]): boolean => codes.includes(String((e as NodeJS.ErrnoException)?.code));

/** require(), or import() for ES-module packages (`webgpu`) where require(esm) is unavailable. */
const defaultLoader: ModuleLoader = async (name) => {
  try {
    // optional packages are resolved at run time by name: a static import would fail when they are absent
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  } catch (e) {
    if (isErrCode(e, 'ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE')) return import(name);
    throw e;
  }
};

/** The package of `engine` that a module-not-found error names, if any. */
function missingPackage(engine: EngineName, e: unknown): string | undefined {
  if (!isErrCode(e, 'MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND')) return undefined;
  return ENGINE_PACKAGES[engine].find((p) => String((e as Error).message).includes(`'${p}'`));
}

function reasonOf(engine: EngineName, e: unknown): string {
  const missing = missingPackage(engine, e);
  return missing ? `not installed (npm i ${missing})` : `failed to load: ${firstLine(e)}`;
}

function report(engine: EngineName, s: Started, skipped: SkippedEngine[]): EngineReport {
  const why = skipped.map((k) => `${k.engine}: ${k.reason}`).join('; ');
  return { engine, ...s, skipped, describe: () => `engine: ${engine} (${s.detail})${why ? ` — ${why}` : ''}` };
}

function context(opts: SelectEngineOptions): StartContext {
  const { threads, webgpuTimeoutMs = WEBGPU_TIMEOUT_MS } = opts;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new EngineOptionError('threads', `must be an integer ≥ 1 (got ${threads})`);
  }
  if (!(webgpuTimeoutMs > 0)) throw new EngineOptionError('webgpuTimeoutMs', `must be > 0 (got ${webgpuTimeoutMs})`);
  return { load: opts.load ?? defaultLoader, threads, webgpuTimeoutMs };
}

async function startRequested(engine: EngineName, ctx: StartContext): Promise<EngineReport> {
  if (!ENGINE_ORDER.includes(engine)) {
    throw new EngineUnavailableError(String(engine), `unknown engine (choose from ${ENGINE_ORDER.join(', ')}, auto)`);
  }
  try {
    return report(engine, await startEngine(engine, ctx), []);
  } catch (e) {
    throw new EngineUnavailableError(engine, reasonOf(engine, e));
  }
}

/** Starts the requested engine, or the best that loads; see the module doc for the order. */
export async function selectEngine(opts: SelectEngineOptions = {}): Promise<EngineReport> {
  const ctx = context(opts);
  const wanted = opts.backend ?? 'auto';
  if (wanted !== 'auto') return startRequested(wanted, ctx);
  const skipped: SkippedEngine[] = [];
  const gpuVisible = opts.gpuVisible ?? gpuDeviceVisible;
  for (const engine of ENGINE_ORDER) {
    if (engine === 'webgpu' && !gpuVisible()) {
      skipped.push({ engine, reason: 'no GPU device on this machine (no /dev/dri/renderD*, no /dev/nvidia*; --backend webgpu tries anyway)' });
      continue;
    }
    opts.log?.(`trying engine ${engine}`);
    try {
      return report(engine, await startEngine(engine, ctx), skipped);
    } catch (e) {
      skipped.push({ engine, reason: reasonOf(engine, e) });
      opts.log?.(`${engine}: ${skipped[skipped.length - 1].reason}`);
    }
  }
  throw new EngineUnavailableError('auto', skipped.map((k) => `${k.engine}: ${k.reason}`).join('; '));
}
