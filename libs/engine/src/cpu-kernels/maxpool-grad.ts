/**
 * MaxPoolGrad for the cpu engine: tfjs-backend-cpu 4.22's reads through TensorBuffer.get (~100×
 * slower than the forward pool). One pass over the windows (NHWC), same result.
 */
import { backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { valuesOf, type CpuBackend } from './backend';

interface Attrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx: each output's gradient goes to the first maximum of its window (TensorFlow's rule). */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as Attrs;
  const be = backend as unknown as CpuBackend;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = valuesOf(be, input);
  const dyv = valuesOf(be, dy);
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

export const maxPoolGradConfig: KernelConfig = { kernelName: MaxPoolGrad, backendName: 'cpu', kernelFunc: maxPoolGrad };
