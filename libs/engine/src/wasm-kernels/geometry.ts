/** Convolution geometry (NHWC) shared by the im2col-based kernels. */
import { backend_util, type Conv2DAttrs } from '@tensorflow/tfjs-core';
import { WasmKernelInputError } from './errors';

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

type ConvAttrs = Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'> & {
  dilations?: Conv2DAttrs['dilations'];
};

/** Geometry of a conv of x [B, H, W, Cin] with filter [fH, fW, Cin, Cout]. */
export function convGeometry(kernel: string, xShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new WasmKernelInputError(kernel, `dataFormat must be NHWC (got ${attrs.dataFormat})`);
  }
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilH: info.dilationHeight,
    dilW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  };
}

/** im2col row count (one row per output pixel, all images) and width (one column per filter tap × Cin). */
export const colRows = (g: ConvGeometry): number => g.batch * g.outH * g.outW;
export const colWidth = (g: ConvGeometry): number => g.fH * g.fW * g.inC;
