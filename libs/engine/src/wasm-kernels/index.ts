/**
 * Kernels that let the tfjs wasm engine train our detector, built on the backend's XNNPACK matrix
 * multiply (im2col / col2im in JS straight on the wasm heap). `selectEngine` registers them when it
 * starts wasm (see training-kernels.ts).
 *
 * - Conv2DBackpropFilter: missing from tfjs-backend-wasm 4.22 (the conv2d gradient fails without it).
 * - Conv2DBackpropInput: present there but a direct loop ≈ 6× slower than XNNPACK; replaced.
 * - MaxPoolGrad: present there but ≈ 100× slower than its forward on the stem pool; replaced.
 *
 * `parallel/` (Node only, reached from `@retina/engine/node`): data-parallel training over worker
 * threads (one wasm engine and model replica per core).
 */
import type { TrainingKernel } from '../training-kernels';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolGradConfig } from './maxpool-grad';

export { WasmKernelInputError } from './errors';

export const WASM_TRAINING_KERNELS: readonly TrainingKernel[] = [
  { config: conv2DBackpropFilterConfig, mode: 'add' },
  { config: conv2DBackpropInputConfig, mode: 'replace' },
  { config: maxPoolGradConfig, mode: 'replace' },
];
