// tfjs-core's Node bundle ships without gradient functions; tfjs-layers registers all of them.
import '@tensorflow/tfjs-layers';
export { EngineOptionError, EngineUnavailableError, ModelFormatError } from './errors';
export {
  ENGINE_ORDER,
  WEBGPU_TIMEOUT_MS,
  selectEngine,
  gpuDeviceVisible,
  type EngineName,
  type EngineReport,
  type ModuleLoader,
  type SelectEngineOptions,
  type SkippedEngine,
} from './select';
export { fileSystemIO, loadTensors, readMetadata, saveTensors, MODEL_JSON, SHARD_BYTES, type FileSystemIOOptions, type FileWriter } from './io';
export { removeStaleStaging, resolveAtomicDir, writeDirAtomically } from './atomic-dir';
export { writeFileAtomic } from './atomic-file';
export { writeStdout } from './stdout';
// registerWasmTrainingKernels, WasmKernelInputError and the data-parallel trainer (DataParallel, …)
export * from './wasm-kernels';
