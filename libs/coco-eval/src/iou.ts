/**
 * IoU of every detection with every ground-truth box, both COCO xywh, the way the reference computes
 * it (`bbIou` in maskApi.c, same operation order): for a crowd region the union is the detection's
 * own area, so a detection inside a crowd scores 1 however large the crowd is.
 *
 * @param dt detections [D * 4], xywh
 * @param gt ground truth [G * 4], xywh
 * @param crowd [G], 1 marks a crowd region
 * @returns IoUs, row-major [D, G]
 */
export function cocoBoxIou(dt: Float64Array, gt: Float64Array, crowd: Uint8Array): Float64Array {
  const numDt = dt.length / 4;
  const numGt = gt.length / 4;
  return boxIouInto(dt, numDt, gt, numGt, crowd, new Float64Array(numDt * numGt));
}

/** `cocoBoxIou` on the first `numDt` / `numGt` boxes of (possibly larger) buffers, into `out`. */
export function boxIouInto(dt: Float64Array, numDt: number, gt: Float64Array, numGt: number, crowd: Uint8Array, out: Float64Array): Float64Array {
  for (let g = 0; g < numGt; g++) {
    const gx = gt[g * 4];
    const gy = gt[g * 4 + 1];
    const gw = gt[g * 4 + 2];
    const gh = gt[g * 4 + 3];
    const gtArea = gw * gh;
    const isCrowd = crowd[g] !== 0;
    for (let d = 0; d < numDt; d++) {
      const dx = dt[d * 4];
      const dy = dt[d * 4 + 1];
      const dw = dt[d * 4 + 2];
      const dh = dt[d * 4 + 3];
      out[d * numGt + g] = 0;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const inter = w * h;
      const dtArea = dw * dh;
      out[d * numGt + g] = inter / (isCrowd ? dtArea : dtArea + gtArea - inter);
    }
  }
  return out;
}
