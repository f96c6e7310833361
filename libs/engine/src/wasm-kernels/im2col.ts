/**
 * im2col / col2im over NHWC tensors for the rows [m0, m1) of the column matrix: one row per output
 * pixel m = (n, oh, ow) in row-major order, one column per filter tap k = (fh, fw, ci) — the layout of
 * a [fH, fW, Cin, Cout] filter seen as [K, Cout]. Taps that fall into the padding read as 0.
 * Plain loops (no callbacks) keep V8's code monomorphic: these loops are the JS share of the kernels.
 */
import type { ConvGeometry } from './geometry';

/** Columns per phase row of `splitColumnPhases`: ceil(inW / strideW). */
export const phaseWidth = (g: ConvGeometry): number => Math.ceil(g.inW / g.strideW);

/**
 * xT [Cin, B·H, W] (x with channels first) → [Cin, B·H, strideW, phaseWidth]: every input row split by
 * column phase (iw mod strideW), so that a strided tap reads one contiguous run. Always a new JS array
 * (a plain copy for stride 1), so it stays valid while the wasm heap grows.
 */
export function splitColumnPhases(xT: Float32Array, g: ConvGeometry): Float32Array {
  const { inW, strideW } = g;
  if (strideW === 1) return xT.slice();
  const rows = xT.length / inW;
  const width = phaseWidth(g);
  const out = new Float32Array(rows * strideW * width);
  for (let r = 0; r < rows; r++) {
    const src = r * inW;
    const dst = r * strideW * width;
    for (let iw = 0; iw < inW; iw++) out[dst + (iw % strideW) * width + Math.floor(iw / strideW)] = xT[src + iw];
  }
  return out;
}

/**
 * Column-major im2col of the output rows [r0, r1) (one output row = (n, oh), outW pixels):
 * out [K, (r1 - r0) · outW] with out[k, j] = x at tap k of pixel r0 · outW + j. Reads the phase-split
 * channels-first x of `splitColumnPhases`, so each (tap, output row) is one contiguous copy.
 */
export function im2colTransposed(xPhases: Float32Array, g: ConvGeometry, r0: number, r1: number, out: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const cols = (r1 - r0) * outW;
  const width = phaseWidth(g);
  const rowSize = strideW * width;
  for (let fh = 0; fh < fH; fh++) {
    for (let fw = 0; fw < fW; fw++) {
      // input column of output column ow: ow · strideW + shift = (ow + whole) · strideW + phase
      const shift = fw * dilW - padLeft;
      const phase = ((shift % strideW) + strideW) % strideW;
      const whole = (shift - phase) / strideW;
      const lo = Math.min(outW, Math.max(0, Math.ceil(-shift / strideW)));
      const hi = Math.max(lo, Math.min(outW, Math.floor((inW - 1 - shift) / strideW) + 1));
      for (let ci = 0; ci < inC; ci++) {
        const rowBase = ((fh * fW + fw) * inC + ci) * cols;
        for (let r = r0; r < r1; r++) {
          const n = Math.floor(r / outH);
          const ih = (r - n * outH) * strideH - padTop + fh * dilH;
          const dst = rowBase + (r - r0) * outW;
          if (ih < 0 || ih >= inH) {
            out.fill(0, dst, dst + outW);
            continue;
          }
          const src = ((ci * batch + n) * inH + ih) * rowSize + phase * width + whole;
          out.fill(0, dst, dst + lo);
          out.set(xPhases.subarray(src + lo, src + hi), dst + lo);
          out.fill(0, dst + hi, dst + outW);
        }
      }
    }
  }
}

/** dx += col2im(cols) for cols [m1 - m0, K]: every column entry is added back to the x position it was read from. */
export function col2imAdd(cols: Float32Array, g: ConvGeometry, m0: number, m1: number, dx: Float32Array): void {
  const { inH, inW, inC: c, outH, outW, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const plane = outH * outW;
  let row = 0;
  for (let m = m0; m < m1; m++) {
    const n = Math.floor(m / plane);
    const oh = Math.floor((m - n * plane) / outW);
    const ow = m - n * plane - oh * outW;
    const imageBase = n * inH;
    for (let fh = 0; fh < fH; fh++) {
      const ih = oh * strideH - padTop + fh * dilH;
      const rowInside = ih >= 0 && ih < inH;
      for (let fw = 0; fw < fW; fw++, row += c) {
        const iw = ow * strideW - padLeft + fw * dilW;
        if (!rowInside || iw < 0 || iw >= inW) continue;
        const dst = ((imageBase + ih) * inW + iw) * c;
        for (let ci = 0; ci < c; ci++) dx[dst + ci] += cols[row + ci];
      }
    }
  }
}

/** out [cols, rows] = transpose of src [rows, cols] (row-major). */
export function transpose2d(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const BLOCK = 32;
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(cols, c0 + BLOCK);
      for (let r = r0; r < r1; r++) {
        for (let col = c0; col < c1; col++) out[col * rows + r] = src[r * cols + col];
      }
    }
  }
}
