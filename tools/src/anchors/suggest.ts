/**
 * Suggests anchor sizes, scales and ratios for a dataset: k-means with distance 1 − IoU whose
 * k = levels × scales × ratios centroids are the anchor shapes themselves, so the result keeps the
 * RetinaNet structure (one base size per level, scales and ratios shared by all levels; the strides
 * and the number of each stay as given, so the head's anchors per location do not change).
 *
 * Assignment step: each box goes to the anchor shape (level, scale, ratio) with which it reaches its
 * best IoU on the real anchor grid of its padded image (`bestIous`). Update step: each ratio becomes
 * the geometric mean h / w of its boxes; base sizes and scales are fitted to the boxes' sqrt(area)
 * as log(size) = log(base[level]) + log(scale) by alternating means (scales renormalised so the
 * smallest is 1). Empty clusters keep their value. It stops when no parameter moves by 1%.
 *
 * Restarts: the first starts from the given config, the others from seeded perturbations of it.
 * Every result is rounded to what the flags print (integer base sizes, two-decimal scales and
 * ratios), evaluated on all boxes, and the best by (boxes ≥ 0.5, boxes ≥ 0.4, mean IoU) wins; the
 * given config competes too, so the suggestion never covers fewer boxes than the input.
 */
import { Rng } from '@retina/coco';
import type { AnalysisBoxes } from './boxes';
import { checkAnchorFlags, type AnchorFlags, type CheckedAnchorConfig } from './config-flags';
import { bestIous, NEGATIVE_IOU, POSITIVE_IOU } from './coverage';

export interface SuggestOptions {
  /** Seeds the restarts' perturbations and the box sample. Default 0. */
  seed?: number;
  /** Lloyd runs: one from the given config, the rest from perturbations of it. Default 4. */
  restarts?: number;
  /** Iteration cap of each run. Default 20. */
  maxIterations?: number;
  /** Boxes the clustering sees (a seeded sample when there are more); evaluation uses all. Default 10000. */
  maxBoxes?: number;
}

export interface SuggestResult {
  checked: CheckedAnchorConfig;
  /** [N] best IoU of every box under the suggested config. */
  iou: Float32Array;
  /** True when no clustering result beat the given config, which is then returned. */
  keptInput: boolean;
  seed: number;
  restarts: number;
  /** Boxes the clustering saw. */
  clusteredBoxes: number;
}

const DEFAULTS = { seed: 0, restarts: 4, maxIterations: 20, maxBoxes: 10000 };
/** Restarts perturb every parameter by a factor in exp([−0.4, 0.4]) (about ×0.67 … ×1.5). */
const PERTURBATION = 0.4;
/** Alternating-means sweeps that fit base sizes and scales per update. */
const SIZE_SWEEPS = 3;
/**
 * A run has converged when no parameter moves by 1% or more (the flags print two decimals; sparse
 * clusters keep jittering by about that much as boxes cross between them).
 */
const CONVERGED = Math.log(1.01);

/** Anchor shape parameters in log space during the fit. */
interface LogShape {
  sizes: number[];
  scales: number[];
  ratios: number[];
}

function subset(boxes: AnalysisBoxes, picked: readonly number[]): AnalysisBoxes {
  const gather = <T extends Float32Array | Int32Array>(src: T, stride: number, make: (n: number) => T): T => {
    const out = make(picked.length * stride);
    picked.forEach((i, j) => out.set(src.subarray(i * stride, (i + 1) * stride), j * stride));
    return out;
  };
  return {
    ...boxes,
    count: picked.length,
    boxes: gather(boxes.boxes, 4, (n) => new Float32Array(n)),
    sizeIndex: gather(boxes.sizeIndex, 1, (n) => new Int32Array(n)),
    fileSizes: gather(boxes.fileSizes, 2, (n) => new Float32Array(n)),
    imageIds: picked.map((i) => boxes.imageIds[i]),
    annotationIds: picked.map((i) => boxes.annotationIds[i]),
  };
}

function sample(boxes: AnalysisBoxes, maxBoxes: number, rng: Rng): AnalysisBoxes {
  if (boxes.count <= maxBoxes) return boxes;
  const all = Array.from({ length: boxes.count }, (_, i) => i);
  return subset(boxes, rng.shuffle(all).slice(0, maxBoxes).sort((a, b) => a - b));
}

/** Flags for a normalized log shape, rounded to what `formatAnchorFlags` prints. */
function roundedFlags(base: AnchorFlags, s: LogShape): AnchorFlags {
  const two = (v: number) => Math.max(0.01, Math.round(v * 100) / 100);
  return {
    ...base,
    sizes: s.sizes.map((v) => Math.max(1, Math.round(Math.exp(v)))),
    scales: s.scales.map((v) => two(Math.exp(v))).sort((a, b) => a - b),
    ratios: s.ratios.map((v) => two(Math.exp(v))).sort((a, b) => a - b),
  };
}

/** Mean of `values[i] − offset(i)` over the boxes of each group; NaN for an empty group. */
function groupMeans(groups: Int32Array, numGroups: number, values: Float64Array, offset: (i: number) => number): number[] {
  const sum = new Float64Array(numGroups);
  const count = new Float64Array(numGroups);
  groups.forEach((g, i) => {
    if (g < 0) return;
    sum[g] += values[i] - offset(i);
    count[g]++;
  });
  return Array.from(sum, (s, g) => (count[g] > 0 ? s / count[g] : NaN));
}

const keepEmpty = (fitted: number[], previous: number[]) => fitted.map((v, i) => (Number.isNaN(v) ? previous[i] : v));

/** One Lloyd run from `start`; returns the final shape (log space). */
function lloyd(boxes: AnalysisBoxes, flags: AnchorFlags, start: LogShape, maxIterations: number): LogShape {
  const numScales = flags.scales.length;
  const logSize = new Float64Array(boxes.count);
  const logAspect = new Float64Array(boxes.count);
  for (let i = 0, k = 0; i < boxes.count; i++, k += 4) {
    const w = boxes.boxes[k + 2] - boxes.boxes[k];
    const h = boxes.boxes[k + 3] - boxes.boxes[k + 1];
    logSize[i] = Math.log(w * h) / 2;
    logAspect[i] = Math.log(h / w);
  }
  let shape = normalized(start);
  for (let it = 0; it < maxIterations; it++) {
    const current = { ...flags, sizes: shape.sizes.map(Math.exp), scales: shape.scales.map(Math.exp), ratios: shape.ratios.map(Math.exp) };
    const { level, base } = bestIous(boxes, checkAnchorFlags(current).resolved);
    const ratioOf = base.map((b) => (b < 0 ? -1 : Math.floor(b / numScales)));
    const scaleOf = base.map((b) => (b < 0 ? -1 : b % numScales));
    const ratios = keepEmpty(groupMeans(ratioOf, shape.ratios.length, logAspect, () => 0), shape.ratios);
    let { sizes, scales } = shape;
    for (let sweep = 0; sweep < SIZE_SWEEPS; sweep++) {
      sizes = keepEmpty(groupMeans(level, sizes.length, logSize, (i) => scales[scaleOf[i]]), sizes);
      scales = keepEmpty(groupMeans(scaleOf, scales.length, logSize, (i) => sizes[level[i]]), scales);
    }
    const next = normalized({ sizes, scales, ratios });
    const moved = largestChange(shape, next);
    shape = next;
    if (moved < CONVERGED) break;
  }
  return shape;
}

/** Largest change of any parameter between two shapes, in log units. */
function largestChange(a: LogShape, b: LogShape): number {
  const deltas = (p: number[], q: number[]) => p.map((v, i) => Math.abs(v - q[i]));
  return Math.max(...deltas(a.sizes, b.sizes), ...deltas(a.scales, b.scales), ...deltas(a.ratios, b.ratios));
}

/** The same anchor sizes with the smallest scale 1, and no size below 1 px. */
function normalized(s: LogShape): LogShape {
  const minScale = Math.min(...s.scales);
  return { sizes: s.sizes.map((v) => Math.max(0, v + minScale)), scales: s.scales.map((v) => v - minScale), ratios: s.ratios };
}

function logShape(flags: AnchorFlags, rng: Rng | null): LogShape {
  const jitter = (v: number) => Math.log(v) + (rng ? rng.uniform(-PERTURBATION, PERTURBATION) : 0);
  return { sizes: flags.sizes.map(jitter), scales: flags.scales.map(jitter), ratios: flags.ratios.map(jitter) };
}

/** (boxes ≥ 0.5, boxes ≥ 0.4, IoU sum): larger is better, compared in that order. */
function score(iou: Float32Array): [number, number, number] {
  let p = 0;
  let n = 0;
  let sum = 0;
  for (const v of iou) {
    if (v >= POSITIVE_IOU) p++;
    if (v >= NEGATIVE_IOU) n++;
    sum += v;
  }
  return [p, n, sum];
}

const better = (a: number[], b: number[]) => a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];

/** A config that covers `boxes` at least as well as `input`; deterministic for a seed. */
export function suggestAnchors(boxes: AnalysisBoxes, input: CheckedAnchorConfig, options: SuggestOptions = {}): SuggestResult {
  const o = {
    seed: options.seed ?? DEFAULTS.seed,
    restarts: options.restarts ?? DEFAULTS.restarts,
    maxIterations: options.maxIterations ?? DEFAULTS.maxIterations,
    maxBoxes: options.maxBoxes ?? DEFAULTS.maxBoxes,
  };
  const rng = new Rng(o.seed);
  const clustered = sample(boxes, o.maxBoxes, rng);
  let best = { checked: input, iou: bestIous(boxes, input.resolved).iou, keptInput: true };
  let bestScore = score(best.iou);
  for (let r = 0; r < o.restarts && clustered.count > 0; r++) {
    const shape = lloyd(clustered, input.flags, logShape(input.flags, r === 0 ? null : rng), o.maxIterations);
    const checked = checkAnchorFlags(roundedFlags(input.flags, shape));
    const iou = bestIous(boxes, checked.resolved).iou;
    const s = score(iou);
    if (better(s, bestScore)) {
      best = { checked, iou, keptInput: false };
      bestScore = s;
    }
  }
  return { ...best, seed: o.seed, restarts: o.restarts, clusteredBoxes: clustered.count };
}
