/**
 * Faster cpu-engine kernels for the two training kernels of tfjs-backend-cpu 4.22 that read through
 * TensorBuffer.get (~100× slower than the forward ops): Conv2DBackpropFilter and MaxPoolGrad. Plain
 * loops over the typed arrays (NHWC), same results. Register once after the cpu backend is imported.
 */
import { backend_util, getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const values = (b: CpuBackend, t: TensorInfo): Float32Array => b.data.get(t.dataId).values;

/** dW[i, j, ci, co] = Σ_{b, y, x} x[b, y·s − top + i, x·s − left + j, ci] · dy[b, y, x, co]. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as { strides: [number, number] | number; pad: 'same' | 'valid' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  const be = backend as unknown as CpuBackend;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (retina cpu kernel): NCHW is not supported');
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = values(be, x);
  const dyv = values(be, dy);
  const dw = new Float32Array(fh * fw * ci * co);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyOff = ((b * outHeight + oy) * outWidth + ox) * co;
        for (let i = 0; i < fh; i++) {
          const iy = oy * sh - top + i;
          if (iy < 0 || iy >= inHeight) continue;
          for (let j = 0; j < fw; j++) {
            const ix = ox * sw - left + j;
            if (ix < 0 || ix >= inWidth) continue;
            const xOff = ((b * inHeight + iy) * inWidth + ix) * ci;
            const wOff = (i * fw + j) * ci * co;
            for (let c = 0; c < ci; c++) {
              const v = xv[xOff + c];
              if (v === 0) continue;
              const row = wOff + c * co;
              for (let o = 0; o < co; o++) dw[row + o] += v * dyv[dyOff + o];
            }
          }
        }
      }
    }
  }
  return be.makeTensorInfo(a.filterShape, 'float32', dw);
};

/** dx: each output's gradient goes to the first maximum of its window (TensorFlow's rule). */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as { filterSize: [number, number] | number; strides: [number, number] | number; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const be = backend as unknown as CpuBackend;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = values(be, input);
  const dyv = values(be, dy);
  const dx = new Float32Array(xv.length);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < fh; i++) {
            const iy = oy * sh - top + i;
            if (iy < 0 || iy >= inHeight) continue;
            for (let j = 0; j < fw; j++) {
              const ix = ox * sw - left + j;
              if (ix < 0 || ix >= inWidth) continue;
              const k = ((b * inHeight + iy) * inWidth + ix) * c + d;
              if (xv[k] > best) {
                best = xv[k];
                at = k;
              }
            }
          }
          if (at >= 0) dx[at] += dyv[((b * outHeight + oy) * outWidth + ox) * c + d];
        }
      }
    }
  }
  return be.makeTensorInfo(input.shape, 'float32', dx);
};

const KERNELS: readonly KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'MaxPoolGrad', backendName: 'cpu', kernelFunc: maxPoolGrad },
];

/**
 * Replaces tfjs-backend-cpu's Conv2DBackpropFilter and MaxPoolGrad with the loops above; returns the
 * names it (re)registered (empty on a second call). Import `@tensorflow/tfjs-backend-cpu` first.
 */
export function registerCpuTrainingKernels(): string[] {
  const done: string[] = [];
  for (const k of KERNELS) {
    if (getKernel(k.kernelName, 'cpu')?.kernelFunc === k.kernelFunc) continue;
    if (getKernel(k.kernelName, 'cpu')) unregisterKernel(k.kernelName, 'cpu');
    registerKernel(k);
    done.push(k.kernelName);
  }
  return done;
}
