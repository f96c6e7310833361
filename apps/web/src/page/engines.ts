/**
 * The page's tensor engine: the fastest tfjs backend that starts in this browser — WebGPU, then
 * WebGL (2), then WebAssembly (whose .wasm files the page serves itself: no CDN) — or the one named
 * by `?engine=`. Like @retina/engine's selection in Node, it says which one runs and why the faster
 * ones did not (tfjs's own `setBackend` only returns false).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WASM_DIR } from '../site-layout';

/** In the order tried. */
export const PAGE_ENGINES = ['webgpu', 'webgl', 'wasm'] as const;
export type PageEngine = (typeof PAGE_ENGINES)[number];


/** How long an engine may take to start before it counts as failed (a WebGPU adapter request can hang). */
const START_TIMEOUT_MS = 15_000;

export interface EngineChoice {
  engine: PageEngine;
  /** One line, e.g. "wasm (WebAssembly, SIMD, 2 threads)". */
  describe: string;
  /** Engines tried before it (or instead of it, when one was named), with the reason each did not start. */
  skipped: { engine: PageEngine; reason: string }[];
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}

/** Why `engine` cannot run here, found before tfjs tries it; undefined when it may. */
async function precheck(engine: PageEngine): Promise<string | undefined> {
  if (engine === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'navigator.gpu is missing (WebGPU is off in this browser)';
    const adapter = await timeout(gpu.requestAdapter(), START_TIMEOUT_MS, 'navigator.gpu.requestAdapter()');
    return adapter ? undefined : 'no WebGPU adapter (no usable GPU)';
  }
  if (engine === 'webgl') {
    return document.createElement('canvas').getContext('webgl2') ? undefined : 'no WebGL2 context (WebGL off, or no GPU and no software fallback)';
  }
  return typeof WebAssembly === 'object' ? undefined : 'WebAssembly is not available';
}

function details(engine: PageEngine): string {
  if (engine === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return `wasm (WebAssembly${simd ? ', SIMD' : ''}, ${threads ? `${navigator.hardwareConcurrency} threads` : '1 thread'})`;
  }
  if (engine === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
    return `webgl (WebGL ${tf.env().getNumber('WEBGL_VERSION')}, ${renderer})`;
  }
  return 'webgpu';
}

/** Starts `wanted` (or, for 'auto', the first of PAGE_ENGINES that starts and computes). */
export async function startEngine(wanted: PageEngine | 'auto', log: (line: string) => void = () => undefined): Promise<EngineChoice> {
  setWasmPaths(WASM_DIR);
  const candidates = wanted === 'auto' ? PAGE_ENGINES : [wanted];
  const skipped: EngineChoice['skipped'] = [];
  for (const engine of candidates) {
    log(`trying ${engine}`);
    try {
      const problem = await precheck(engine);
      if (problem !== undefined) throw new Error(problem);
      if (!(await timeout(tf.setBackend(engine), START_TIMEOUT_MS, `tf.setBackend('${engine}')`))) throw new Error('tfjs could not initialise it (see the console)');
      await tf.ready();
      // a backend that starts but cannot run a kernel (e.g. shaders that do not compile) is no engine
      const probe = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
      const value = (await probe.data())[0];
      probe.dispose();
      if (value !== 12) throw new Error(`computes 2·(1 + 2 + 3) as ${value}`);
      return { engine, describe: details(engine), skipped };
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      log(`${engine}: ${reason}`);
      skipped.push({ engine, reason });
    }
  }
  throw new Error(`no engine started: ${skipped.map((s) => `${s.engine}: ${s.reason}`).join('; ')}`);
}
