/**
 * Detections of one image from head outputs on typed arrays: per level, candidates (anchor, class)
 * with score > scoreThresh, the best topK of them, decoded (@retina/anchors) and clipped; then
 * class-wise NMS over all levels, the best maxDetections, mapped back to original image pixels.
 */
import { decodeBoxes, selectBoxes, type BoxesXyxy } from '@retina/anchors';
import type { Category, RetinaNetConfig } from './config';
import { batchedNms } from './nms';

export interface ImageMeta {
  /** Input pixels per original pixel. */
  scale: number;
  originalHeight: number;
  originalWidth: number;
  /** The input was mirrored horizontally (boxes are mirrored back). */
  flipped?: boolean;
  /** Size of the image content inside the padded input (default: original × scale). */
  resizedHeight?: number;
  resizedWidth?: number;
}

export interface Detection {
  /** [x1, y1, x2, y2] in original image pixels. */
  box: [number, number, number, number];
  score: number;
  /** Contiguous class index 0..C-1. */
  label: number;
  /** COCO category id (the label when the model has no categories). */
  categoryId: number;
}

/** One image's head outputs: logits [A * C] and deltas [A * 4] (row-major), anchors [A * 4]. */
export interface ImageOutputs {
  logits: Float32Array;
  deltas: Float32Array;
  anchors: BoxesXyxy;
  /** Anchors per level, in order. */
  levelCounts: number[];
  numClasses: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Candidate flat indices (anchor · C + class) of one level with logit > threshold, best topK. */
function levelCandidates(logits: Float32Array, from: number, to: number, logitThresh: number, topK: number): number[] {
  const idx: number[] = [];
  for (let k = from; k < to; k++) if (logits[k] > logitThresh) idx.push(k);
  idx.sort((a, b) => logits[b] - logits[a] || a - b);
  return idx.length > topK ? idx.slice(0, topK) : idx;
}

function toOriginal(b: BoxesXyxy, i: number, meta: ImageMeta): [number, number, number, number] {
  const rw = meta.resizedWidth ?? meta.originalWidth * meta.scale;
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  let x1 = b[4 * i];
  let x2 = b[4 * i + 2];
  if (meta.flipped) [x1, x2] = [rw - x2, rw - x1];
  return [
    clip(x1 / meta.scale, meta.originalWidth),
    clip(b[4 * i + 1] / meta.scale, meta.originalHeight),
    clip(x2 / meta.scale, meta.originalWidth),
    clip(b[4 * i + 3] / meta.scale, meta.originalHeight),
  ];
}

export function postprocessImage(out: ImageOutputs, meta: ImageMeta, cfg: RetinaNetConfig['postprocess'], categories?: Category[]): Detection[] {
  const c = out.numClasses;
  const logitThresh = Math.log(cfg.scoreThresh / (1 - cfg.scoreThresh));
  const cand: number[] = [];
  let start = 0;
  for (const count of out.levelCounts) {
    cand.push(...levelCandidates(out.logits, start * c, (start + count) * c, logitThresh, cfg.topK));
    start += count;
  }
  const anchorIdx = cand.map((k) => Math.floor(k / c));
  const boxes = decodeBoxes(selectBoxes(out.deltas, anchorIdx), selectBoxes(out.anchors, anchorIdx));
  const orig = new Float32Array(cand.length * 4);
  cand.forEach((_, i) => orig.set(toOriginal(boxes, i, meta), 4 * i));
  const scores = Float32Array.from(cand, (k) => sigmoid(out.logits[k]));
  const classes = Int32Array.from(cand, (k) => k % c);
  const keep = batchedNms(orig, scores, classes, cfg.nmsIou, cfg.maxDetections);
  return keep.map((i) => ({
    box: [orig[4 * i], orig[4 * i + 1], orig[4 * i + 2], orig[4 * i + 3]],
    score: scores[i],
    label: classes[i],
    categoryId: categories ? categories[classes[i]].id : classes[i],
  }));
}
