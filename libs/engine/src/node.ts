/**
 * @retina/engine/node: everything in `@retina/engine` plus what needs Node — engine selection (loads
 * tfjs-node / Dawn by name, reads /dev), file-system model I/O and atomic files (node:fs), stdout
 * handling, and the data-parallel trainer (worker_threads). Only this entry reaches select.ts,
 * engines.ts, io.ts, manifest.ts, atomic-*.ts, stdout.ts and wasm-kernels/parallel/.
 */
export * from './index';
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
// the data-parallel trainer: DataParallel, Collective, DataParallelError and the Replica types
export * from './wasm-kernels/parallel';
