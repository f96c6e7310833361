/**
 * Helpers over the wasm backend's heap: tensors allocated and read in place (no copies through JS
 * arrays) and the backend's own XNNPACK matrix multiply called directly as a kernel.
 *
 * Every allocation may grow the wasm memory and detach earlier `Float32Array` views, so callers take
 * a view with `f32()` only after their last allocation and never keep one across `alloc`/`matMul`.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BatchMatMul, getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

export type { BackendWasm };

/** Default bound on the scratch matrix (im2col columns) of one kernel call, in float32 elements (32 MiB). */
export const DEFAULT_SCRATCH_ELEMENTS = 8 * 1024 * 1024;
let scratchElements = DEFAULT_SCRATCH_ELEMENTS;

/** Sets the scratch bound (elements, ≥ 1); returns the previous one. Smaller bounds mean more, smaller matmuls. */
export function setScratchLimit(elements: number): number {
  if (!Number.isInteger(elements) || elements < 1) throw new RangeError(`setScratchLimit: elements must be an integer ≥ 1 (got ${elements})`);
  const previous = scratchElements;
  scratchElements = elements;
  return previous;
}

export const alloc = (backend: BackendWasm, shape: number[]): TensorInfo => backend.makeOutput(shape, 'float32');

export const f32 = (backend: BackendWasm, t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;

export const free = (backend: BackendWasm, t: TensorInfo): void => {
  backend.disposeData(t.dataId);
};

/** acc += part (same size), then frees part. */
export function addInto(backend: BackendWasm, acc: TensorInfo, part: TensorInfo): void {
  const into = f32(backend, acc);
  const from = f32(backend, part);
  for (let i = 0; i < into.length; i++) into[i] += from[i];
  free(backend, part);
}

/** Runs another wasm kernel directly (no engine bookkeeping: the caller frees what it returns). */
export function runWasmKernel(backend: BackendWasm, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`kernel ${name} is not registered for wasm (import @tensorflow/tfjs-backend-wasm first)`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** a [rows, inner] · b [inner, cols] → [rows, cols] with the wasm backend's BatchMatMul (no transposes: they are slow there). */
export function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const out = runWasmKernel(backend, BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  out.shape = [a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]];
  return out;
}

/** Rows per chunk so that a [rows, width] scratch matrix stays within the scratch bound (at least one row). */
export const rowsPerChunk = (width: number, rows: number): number =>
  Math.max(1, Math.min(rows, Math.floor(scratchElements / Math.max(1, width))));
