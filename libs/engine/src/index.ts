/**
 * @retina/engine, browser-safe part: the training kernels for tfjs's cpu and wasm backends, the
 * checks of a tfjs weights manifest, and the error classes. Engine selection, file-system model I/O,
 * atomic files and the data-parallel trainer need Node and live in `@retina/engine/node` (node.ts),
 * which re-exports all of this too.
 */
// tfjs-core's Node bundle ships without gradient functions; tfjs-layers registers all of them.
import '@tensorflow/tfjs-layers';
export { EngineOptionError, EngineUnavailableError, ModelFormatError } from './errors';
export { TRAINING_KERNELS, registerCpuTrainingKernels, registerTrainingKernels, registerWasmTrainingKernels, type TrainingKernel } from './training-kernels';
export { WasmKernelInputError } from './wasm-kernels';
export { checkGroupBytes, checkWeightsManifest, weightBytes } from './weights-manifest';
