/**
 * ResizeNearestNeighborGrad for the cpu engine. tfjs-backend-cpu 4.22's kernel reads `dy` at the
 * input's batch stride (`b · xH · xW · C` instead of `b · yH · yW · C`), so every image after the
 * first of a batch gets the gradient of the wrong pixels — the FPN's top-down upsampling trains wrong
 * at batch > 1 — and it ignores `halfPixelCenters`. This one scatters each `dy` value onto the input
 * pixel the forward kernel read it from, with the forward kernel's own index rule.
 */
import { ResizeNearestNeighborGrad, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { valuesOf, type CpuBackend } from './backend';

interface Attrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/**
 * The input index the forward resize reads for output index `i` (tfjs-backend-cpu's
 * ResizeNearestNeighbor rule: scale by the effective sizes, round with alignCorners, else floor).
 */
export function nearestSource(i: number, inSize: number, outSize: number, a: Attrs): number {
  const corners = a.alignCorners && outSize > 1;
  const ratio = (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
  const frac = a.halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
  const nearest = Math.min(inSize - 1, a.alignCorners ? Math.round(frac) : Math.floor(frac));
  return a.halfPixelCenters ? Math.max(0, nearest) : nearest;
}

const resizeNearestNeighborGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  const be = backend as unknown as CpuBackend;
  const [batch, xh, xw, c] = images.shape;
  const [, yh, yw] = dy.shape;
  const dyv = valuesOf(be, dy);
  const dx = new Float32Array(batch * xh * xw * c);
  const rows = Int32Array.from({ length: yh }, (_, y) => nearestSource(y, xh, yh, a));
  const cols = Int32Array.from({ length: yw }, (_, x) => nearestSource(x, xw, yw, a));
  let k = 0;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < yh; y++) {
      const rowBase = (b * xh + rows[y]) * xw;
      for (let x = 0; x < yw; x++) {
        const base = (rowBase + cols[x]) * c;
        for (let d = 0; d < c; d++) dx[base + d] += dyv[k++];
      }
    }
  }
  return be.makeTensorInfo(images.shape, 'float32', dx);
};

export const resizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: ResizeNearestNeighborGrad,
  backendName: 'cpu',
  kernelFunc: resizeNearestNeighborGrad,
};
