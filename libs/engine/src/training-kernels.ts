/**
 * Our training kernels, by tfjs backend, and the one loop that registers them. `selectEngine`
 * registers those of the backend it starts; code that sets a backend itself calls
 * `registerTrainingKernels(backend)` (or the two named shortcuts) after importing the backend package,
 * so that the backend's own kernels are not registered again over ours.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { CPU_TRAINING_KERNELS } from './cpu-kernels';
import { WASM_TRAINING_KERNELS } from './wasm-kernels';

export interface TrainingKernel {
  config: KernelConfig;
  /** 'add': only where the backend has no kernel of that name; 'replace': over the backend's own (faster). */
  mode: 'add' | 'replace';
}

/** Per tfjs backend name; backends not listed need none. */
export const TRAINING_KERNELS: Readonly<Record<string, readonly TrainingKernel[]>> = {
  cpu: CPU_TRAINING_KERNELS,
  wasm: WASM_TRAINING_KERNELS,
};

/**
 * Registers our training kernels for tfjs backend `backend` and returns the names of those it
 * registered: empty on a second call, and for a backend that needs none.
 */
export function registerTrainingKernels(backend: string): string[] {
  const added: string[] = [];
  for (const { config, mode } of TRAINING_KERNELS[backend] ?? []) {
    const current = getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc || (current && mode === 'add')) continue;
    if (current) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}

/** registerTrainingKernels('wasm'); call it after `@tensorflow/tfjs-backend-wasm` is imported. */
export const registerWasmTrainingKernels = (): string[] => registerTrainingKernels('wasm');

/** registerTrainingKernels('cpu'); call it after `@tensorflow/tfjs-backend-cpu` is imported. */
export const registerCpuTrainingKernels = (): string[] => registerTrainingKernels('cpu');
