/**
 * Anchor coverage of a set of GT boxes: each box's best IoU with any anchor of its padded image, and
 * the share of boxes that reach the matcher's thresholds, overall and by size and aspect bucket.
 */
import type { ResolvedAnchorConfig } from '@retina/anchors';
import type { AnalysisBoxes } from './boxes';
import { anchorLattice, bestAnchorIou, type AnchorLattice, type BestAnchor } from './lattice';

/** The matcher's thresholds (DESIGN.md): IoU ≥ 0.5 makes a positive, < 0.4 background. */
export const POSITIVE_IOU = 0.5;
export const NEGATIVE_IOU = 0.4;

/** How many boxes of a group reach each threshold. Shares and mean are null for an empty group. */
export interface Coverage {
  boxes: number;
  /** Boxes whose best IoU is ≥ 0.5 (some anchor becomes a positive for them). */
  matched50: number;
  /** Boxes whose best IoU is ≥ 0.4 (not background; below 0.5 only the low-quality rule matches them). */
  matched40: number;
  share50: number | null;
  share40: number | null;
  meanBestIou: number | null;
}

/** A bucket [min, max) of some box measure; `max` null means unbounded. */
export interface BucketCoverage extends Coverage {
  bucket: string;
  min: number;
  max: number | null;
}

/** A box no anchor reaches 0.4 IoU with. */
export interface UnmatchedBox {
  imageId: number;
  annotationId: number;
  /** Size in the resized image (what the anchors see). */
  width: number;
  height: number;
  /** Size in the annotation file. */
  fileWidth: number;
  fileHeight: number;
  bestIou: number;
}

export interface CoverageReport {
  overall: Coverage;
  /** COCO's small / medium / large by box area in the resized image. */
  byCocoSize: BucketCoverage[];
  /** By sqrt(area) in the resized image. */
  bySqrtArea: BucketCoverage[];
  /** By aspect ratio h / w (the anchors' ratio convention). */
  byAspect: BucketCoverage[];
  /** Every box with best IoU < 0.4, worst first. */
  unmatched: UnmatchedBox[];
}

interface BucketSpec {
  bucket: string;
  min: number;
  max: number;
}

function buckets(edges: number[], name: (lo: number, hi: number) => string): BucketSpec[] {
  const bounds = [0, ...edges, Infinity];
  return bounds.slice(0, -1).map((lo, i) => ({ bucket: name(lo, bounds[i + 1]), min: lo, max: bounds[i + 1] }));
}

/** COCO's area ranges: small < 32², medium 32²–96², large ≥ 96². */
const COCO_SIZES: BucketSpec[] = [
  { bucket: 'small (< 32²)', min: 0, max: 32 ** 2 },
  { bucket: 'medium (32²–96²)', min: 32 ** 2, max: 96 ** 2 },
  { bucket: 'large (≥ 96²)', min: 96 ** 2, max: Infinity },
];
const SQRT_AREA = buckets([8, 16, 32, 64, 128, 256, 512], (lo, hi) => (hi === Infinity ? `≥ ${lo}` : `${lo}–${hi}`));
const ASPECT_NAMES = ['< 1/3 (very wide)', '1/3–2/3 (wide)', '2/3–3/2 (squarish)', '3/2–3 (tall)', '≥ 3 (very tall)'];
const ASPECT = buckets([1 / 3, 2 / 3, 3 / 2, 3], () => '').map((b, i) => ({ ...b, bucket: ASPECT_NAMES[i] }));

/**
 * Best IoU of every box with the anchors of `config` on its padded image.
 * @returns [N] float32 IoUs, and the level and base anchor that reached each.
 */
export function bestIous(boxes: AnalysisBoxes, config: ResolvedAnchorConfig): { iou: Float32Array; level: Int32Array; base: Int32Array } {
  const lattices: AnchorLattice[] = boxes.paddedSizes.map((s) => anchorLattice(s.height, s.width, config));
  const iou = new Float32Array(boxes.count);
  const level = new Int32Array(boxes.count);
  const base = new Int32Array(boxes.count);
  const best: BestAnchor = { iou: 0, level: -1, base: -1 };
  const b = boxes.boxes;
  for (let i = 0, k = 0; i < boxes.count; i++, k += 4) {
    bestAnchorIou(lattices[boxes.sizeIndex[i]], b[k], b[k + 1], b[k + 2], b[k + 3], best);
    iou[i] = best.iou;
    level[i] = best.level;
    base[i] = best.base;
  }
  return { iou, level, base };
}

function coverageOf(ious: readonly number[]): Coverage {
  const n = ious.length;
  const matched50 = ious.filter((v) => v >= POSITIVE_IOU).length;
  const matched40 = ious.filter((v) => v >= NEGATIVE_IOU).length;
  const share = (k: number) => (n === 0 ? null : k / n);
  return { boxes: n, matched50, matched40, share50: share(matched50), share40: share(matched40), meanBestIou: share(ious.reduce((s, v) => s + v, 0)) };
}

function bucketed(specs: BucketSpec[], measure: Float64Array, iou: Float32Array): BucketCoverage[] {
  return specs.map((spec) => {
    const inside: number[] = [];
    measure.forEach((m, i) => {
      if (m >= spec.min && m < spec.max) inside.push(iou[i]);
    });
    return { bucket: spec.bucket, min: spec.min, max: spec.max === Infinity ? null : spec.max, ...coverageOf(inside) };
  });
}

/** Coverage tables from per-box best IoUs (as `bestIous` returns them). */
export function coverageReport(boxes: AnalysisBoxes, iou: Float32Array): CoverageReport {
  const b = boxes.boxes;
  const area = new Float64Array(boxes.count);
  const sqrtArea = new Float64Array(boxes.count);
  const aspect = new Float64Array(boxes.count);
  const unmatched: UnmatchedBox[] = [];
  for (let i = 0, k = 0; i < boxes.count; i++, k += 4) {
    const w = b[k + 2] - b[k];
    const h = b[k + 3] - b[k + 1];
    area[i] = w * h;
    sqrtArea[i] = Math.sqrt(w * h);
    aspect[i] = h / w;
    if (iou[i] < NEGATIVE_IOU) {
      unmatched.push({ imageId: boxes.imageIds[i], annotationId: boxes.annotationIds[i], width: w, height: h, fileWidth: boxes.fileSizes[2 * i], fileHeight: boxes.fileSizes[2 * i + 1], bestIou: iou[i] });
    }
  }
  unmatched.sort((p, q) => p.bestIou - q.bestIou || p.imageId - q.imageId || p.annotationId - q.annotationId);
  return {
    overall: coverageOf(Array.from(iou)),
    byCocoSize: bucketed(COCO_SIZES, area, iou),
    bySqrtArea: bucketed(SQRT_AREA, sqrtArea, iou),
    byAspect: bucketed(ASPECT, aspect, iou),
    unmatched,
  };
}
