/** The parts of tfjs-backend-cpu's MathBackendCPU these kernels use (its arrays, no copies). */
import type { TensorInfo } from '@tensorflow/tfjs-core';

export interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** The backend's own float32 array of `t` (read in place). */
export const valuesOf = (backend: CpuBackend, t: TensorInfo): Float32Array => backend.data.get(t.dataId).values;
