/**
 * Training targets on typed arrays (outside any gradient tape): per image, anchors are matched to the
 * non-crowd GT boxes (IoU, the RetinaNet matcher); background anchors that a crowd box covers with
 * IoU ≥ matcher.low become ignored (crowd boxes never make positives); positives get the class of
 * their GT and encoded regression targets.
 */
import { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, encodeBoxes, matchGridAnchors, type AnchorGrid, type BoxesXyxy } from '@retina/anchors';
import type { RetinaNetConfig } from './config';
import { RetinaNetInputError } from './errors';

/** Targets of one image: boxes in input pixels (the padded image the model sees). */
export interface ImageTargets {
  /** [N * 4] xyxy, input pixels. */
  boxes: BoxesXyxy;
  /** [N] class indices 0..C-1. */
  labels: Int32Array;
  /** [N] 1 = crowd region (only turns anchors into "ignore"). */
  crowd?: Uint8Array;
}

export interface BatchTargets {
  /** [B * A] per anchor: class index (positive), −1 background, −2 ignore. */
  labels: Int32Array;
  /** [B * A * 4] encoded deltas at positives, 0 elsewhere. */
  boxTargets: Float32Array;
  numPositive: number;
}

function checkTargets(i: number, t: ImageTargets, numClasses: number): number {
  const fn = 'computeLosses';
  if (!(t.boxes instanceof Float32Array) || t.boxes.length % 4 !== 0) {
    throw new RetinaNetInputError(fn, `targets[${i}].boxes must be a Float32Array of 4 numbers per box (length ${t.boxes?.length})`);
  }
  const n = t.boxes.length / 4;
  if (!(t.labels instanceof Int32Array) || t.labels.length !== n) throw new RetinaNetInputError(fn, `targets[${i}].labels must be an Int32Array of ${n} values (got ${t.labels?.length})`);
  if (t.crowd !== undefined && t.crowd.length !== n) throw new RetinaNetInputError(fn, `targets[${i}].crowd must have ${n} values (got ${t.crowd.length})`);
  t.labels.forEach((l, k) => {
    if (!(t.crowd?.[k]) && !(l >= 0 && l < numClasses)) throw new RetinaNetInputError(fn, `targets[${i}].labels[${k}] must be a class index in [0, ${numClasses - 1}] (got ${l})`);
  });
  return n;
}

function split(t: ImageTargets, n: number): { gt: number[]; crowd: number[] } {
  const gt: number[] = [];
  const crowd: number[] = [];
  for (let k = 0; k < n; k++) (t.crowd?.[k] ? crowd : gt).push(k);
  return { gt, crowd };
}

function pick(boxes: BoxesXyxy, idx: number[]): BoxesXyxy {
  const out = new Float32Array(idx.length * 4);
  idx.forEach((k, i) => out.set(boxes.subarray(4 * k, 4 * k + 4), 4 * i));
  return out;
}

/** Labels and encoded targets of one image into `labels` / `boxTargets` (views of length A / 4A). */
function assignImage(grid: AnchorGrid, t: ImageTargets, n: number, m: RetinaNetConfig['matcher'], labels: Int32Array, boxTargets: Float32Array): number {
  const { gt, crowd } = split(t, n);
  const gtBoxes = pick(t.boxes, gt);
  const matches = matchGridAnchors(grid, gtBoxes, m);
  if (crowd.length) {
    const covered = matchGridAnchors(grid, pick(t.boxes, crowd), { high: m.high, low: m.low, allowLowQuality: false });
    for (let a = 0; a < matches.length; a++) if (matches[a] === BELOW_LOW_THRESHOLD && covered[a] !== BELOW_LOW_THRESHOLD) matches[a] = BETWEEN_THRESHOLDS;
  }
  const pos: number[] = [];
  for (let a = 0; a < matches.length; a++) {
    const g = matches[a];
    labels[a] = g >= 0 ? t.labels[gt[g]] : g;
    if (g >= 0) pos.push(a);
  }
  const deltas = encodeBoxes(pick(gtBoxes, pos.map((a) => matches[a])), pick(grid.anchors, pos));
  pos.forEach((a, i) => boxTargets.set(deltas.subarray(4 * i, 4 * i + 4), 4 * a));
  return pos.length;
}

/** Targets of a batch for anchors `grid` (shared by all images of the batch). */
export function assignTargets(grid: AnchorGrid, targets: readonly ImageTargets[], numClasses: number, matcher: RetinaNetConfig['matcher']): BatchTargets {
  const numAnchors = grid.anchors.length / 4;
  const labels = new Int32Array(targets.length * numAnchors);
  const boxTargets = new Float32Array(targets.length * numAnchors * 4);
  let numPositive = 0;
  targets.forEach((t, i) => {
    const n = checkTargets(i, t, numClasses);
    numPositive += assignImage(grid, t, n, matcher, labels.subarray(i * numAnchors, (i + 1) * numAnchors), boxTargets.subarray(i * numAnchors * 4, (i + 1) * numAnchors * 4));
  });
  return { labels, boxTargets, numPositive };
}
