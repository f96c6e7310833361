/**
 * Conv2DBackpropFilter for the cpu engine: tfjs-backend-cpu 4.22's reads through TensorBuffer.get
 * (~100× slower than the forward conv). A plain loop over the typed arrays (NHWC), same result.
 */
import { backend_util, Conv2DBackpropFilter, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { valuesOf, type CpuBackend } from './backend';

interface Attrs {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dW[i, j, ci, co] = Σ_{b, y, x} x[b, y·s − top + i, x·s − left + j, ci] · dy[b, y, x, co]. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (retina cpu kernel): NCHW is not supported');
  const be = backend as unknown as CpuBackend;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = valuesOf(be, x);
  const dyv = valuesOf(be, dy);
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

export const conv2DBackpropFilterConfig: KernelConfig = { kernelName: Conv2DBackpropFilter, backendName: 'cpu', kernelFunc: conv2DBackpropFilter };
