/** COCO `xywh` box: [x, y, width, height] in absolute pixels. */
export type CocoXywh = readonly [number, number, number, number] | readonly number[];

/** A record of the ground truth's `images` list (only `id` is read). */
export interface CocoImage {
  readonly id: number;
}

/** A record of the ground truth's `categories` list. */
export interface CocoCategory {
  readonly id: number;
  readonly name?: string;
}

/**
 * A record of the ground truth's `annotations` list. `area` (not w×h) decides the small / medium /
 * large ranges, as in the reference. `iscrowd` defaults to 0. An `ignore` field is accepted and, as in
 * the reference for bbox evaluation, replaced by `iscrowd`.
 */
export interface CocoAnnotation {
  readonly id: number;
  readonly image_id: number;
  readonly category_id: number;
  readonly bbox: CocoXywh;
  readonly area: number;
  readonly iscrowd?: number | boolean;
  readonly ignore?: number | boolean;
}

/** COCO instances ground truth (the fields the evaluator reads). */
export interface CocoGroundTruth {
  readonly images: readonly CocoImage[];
  readonly annotations: readonly CocoAnnotation[];
  readonly categories: readonly CocoCategory[];
}

/** One record of a COCO results file (bbox). */
export interface CocoResult {
  readonly image_id: number;
  readonly category_id: number;
  readonly bbox: CocoXywh;
  readonly score: number;
}

/**
 * Detections as columns (what `loadResultsFile` returns): no object per detection.
 * Record i is `imageIds[i]`, `categoryIds[i]`, `boxes[4i..4i+3]` (COCO xywh), `scores[i]`.
 */
export interface DetectionColumns {
  readonly count: number;
  readonly imageIds: Float64Array; // [N]
  readonly categoryIds: Float64Array; // [N]
  readonly boxes: Float64Array; // [N * 4], COCO xywh
  readonly scores: Float64Array; // [N]
}
