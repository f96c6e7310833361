/**
 * Variables laid end to end in one float32 buffer shared between threads (a SharedArrayBuffer): the
 * main thread writes weights there, workers write gradients, nobody copies through messages.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataParallelError } from './errors';

/** Shapes of a variable list, in order; offsets follow from them. */
export type Layout = readonly (readonly number[])[];

export const layoutOf = (vars: readonly tf.Variable[]): Layout => vars.map((v) => [...v.shape]);

/** Offset of every entry and the total length, in float32 elements. */
export function offsets(layout: Layout): { starts: number[]; total: number } {
  const starts: number[] = [];
  let total = 0;
  for (const shape of layout) {
    starts.push(total);
    total += shape.reduce((a, b) => a * b, 1);
  }
  return { starts, total };
}

export const sharedFloats = (count: number): Float32Array => new Float32Array(new SharedArrayBuffer(4 * Math.max(1, count)));

/** Names the first difference between two layouts, or null when they are equal. */
export function layoutMismatch(expected: Layout, actual: Layout, what: string): string | null {
  if (expected.length !== actual.length) return `${what}: ${actual.length} variables, the main thread has ${expected.length}`;
  const i = expected.findIndex((shape, k) => shape.join() !== actual[k].join());
  return i < 0 ? null : `${what} variable ${i} has shape [${actual[i]}], the main thread's is [${expected[i]}]`;
}

/**
 * The values of a float32 tensor without a copy where the engine allows it: a view into the wasm heap
 * (valid until the next allocation), or the cpu engine's own array. `dataSync()` would allocate a
 * fresh array per tensor and step — megabytes of new pages that the kernel must map, zero and unmap,
 * and in a multi-threaded process every unmap interrupts the other cores (TLB shootdown).
 */
function valuesOf(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as tf.KernelBackend & { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
  if (tf.getBackend() === 'wasm' && backend.typedArrayFromHeap) return backend.typedArrayFromHeap(t);
  return backend.readSync(t.dataId) as Float32Array;
}

/** Writes the values of `vars` into `buffer` from element `start` on; returns the element after the last. */
export function writeValues(vars: readonly tf.Tensor[], buffer: Float32Array, start = 0): number {
  let at = start;
  for (const v of vars) {
    if (v.dtype !== 'float32') throw new DataParallelError(`variable ${v.id} is ${v.dtype}; data-parallel training needs float32 variables`);
    buffer.set(valuesOf(v), at);
    at += v.size;
  }
  return at;
}

/** Assigns `vars` from `buffer` (element `start` on); returns the element after the last. */
export function assignValues(vars: readonly tf.Variable[], buffer: Float32Array, start = 0): number {
  let at = start;
  for (const v of vars) {
    tf.tidy(() => v.assign(tf.tensor(buffer.subarray(at, at + v.size), v.shape, 'float32')));
    at += v.size;
  }
  return at;
}
