/**
 * Kernels that let the tfjs wasm engine train our detector, built on the backend's XNNPACK matrix
 * multiply (im2col / col2im in JS straight on the wasm heap).
 *
 * - Conv2DBackpropFilter: missing from tfjs-backend-wasm 4.22 (the conv2d gradient fails without it).
 * - Conv2DBackpropInput: present there but a direct loop ≈ 6× slower than XNNPACK; replaced.
 * - MaxPoolGrad: present there but ≈ 100× slower than its forward on the stem pool; replaced.
 *
 * `parallel/`: data-parallel training over worker threads (one wasm engine and model replica per core).
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolGradConfig } from './maxpool-grad';

export { WasmKernelInputError } from './errors';
export * from './parallel';

/** Registered only when wasm has no kernel of that name. */
const MISSING: readonly KernelConfig[] = [conv2DBackpropFilterConfig];
/** Registered in place of wasm's own kernel (faster). */
const REPLACED: readonly KernelConfig[] = [conv2DBackpropInputConfig, maxPoolGradConfig];

/**
 * Registers the training kernels for backend 'wasm' and returns the names of those it registered
 * (empty on a second call). Call it after `@tensorflow/tfjs-backend-wasm` is imported, so that the
 * replaced kernels are not registered again over ours.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of MISSING) {
    if (getKernel(config.kernelName, 'wasm')) continue;
    registerKernel(config);
    added.push(config.kernelName);
  }
  for (const config of REPLACED) {
    if (getKernel(config.kernelName, 'wasm')?.kernelFunc === config.kernelFunc) continue;
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
