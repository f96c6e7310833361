/**
 * Kernels that make the tfjs cpu engine train at a usable speed: tfjs-backend-cpu 4.22's
 * Conv2DBackpropFilter and MaxPoolGrad read through TensorBuffer.get (~100× slower than the forward
 * ops); ours are plain loops over the typed arrays with the same results. `selectEngine` registers
 * them when it starts cpu (see training-kernels.ts).
 */
import type { TrainingKernel } from '../training-kernels';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { maxPoolGradConfig } from './maxpool-grad';
import { resizeNearestNeighborGradConfig } from './resize-nearest-grad';

/**
 * Each replaces tfjs-backend-cpu's own kernel of that name; ResizeNearestNeighborGrad for
 * correctness (the stock one is wrong at batch > 1, see resize-nearest-grad.ts), the others for speed.
 */
export const CPU_TRAINING_KERNELS: readonly TrainingKernel[] = [
  { config: conv2DBackpropFilterConfig, mode: 'replace' },
  { config: maxPoolGradConfig, mode: 'replace' },
  { config: resizeNearestNeighborGradConfig, mode: 'replace' },
];
