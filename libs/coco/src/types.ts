/**
 * Types of the COCO boundary and of the loaded dataset. Inside the system boxes are absolute-pixel
 * `xyxy`; COCO's `xywh` appears only in the raw record types below.
 */

/** One box [x1, y1, x2, y2] in absolute pixels. */
export type BoxXyxy = [number, number, number, number];
/** Boxes [N * 4] laid out x1, y1, x2, y2 per box, absolute pixels. */
export type BoxesXyxy = Float32Array;
/** A COCO box [x, y, width, height] (top-left corner and size, absolute pixels). */
export type CocoXywh = [number, number, number, number];

/** A polygon as COCO stores it: [x0, y0, x1, y1, ...], at least three points. */
export type CocoPolygon = number[];
/** Run-length encoding as COCO stores it (uncompressed counts, or the compressed string). */
export interface CocoRle {
  counts: number[] | string;
  /** [height, width] of the mask. */
  size: [number, number];
}
/** `segmentation` of an annotation: polygons, or an RLE (used for crowd regions). */
export type CocoSegmentation = CocoPolygon[] | CocoRle;

/** A category record. */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/** An image of the dataset, with its annotations. */
export interface DatasetImage {
  id: number;
  /** `file_name` as written in the annotation file (relative to the images root). */
  fileName: string;
  /** Absolute path: images root joined with `fileName`. */
  path: string;
  /** Size the annotations refer to (after EXIF orientation, as COCO tools expect). */
  width: number;
  height: number;
  annotations: DatasetAnnotation[];
}

/** An annotation: its COCO box converted to xyxy (and clipped to the image unless strict). */
export interface DatasetAnnotation {
  id: number;
  imageId: number;
  categoryId: number;
  box: BoxXyxy;
  area: number;
  /** Crowd regions are kept as "ignore" regions for matching, never as positives. */
  iscrowd: boolean;
  /** Kept for segmentation users unless loading with `keepSegmentation: false`. */
  segmentation?: CocoSegmentation;
}

/** Counts gathered while loading. */
export interface LoadStats {
  images: number;
  annotations: number;
  crowdAnnotations: number;
  categories: number;
  /** Boxes that extended past their image and were clipped (non-strict mode). */
  clippedBoxes: number;
  /** True when the file was read with the streaming parser. */
  streamed: boolean;
}

/** An image record as written in a COCO file (the fields Retina reads and writes). */
export interface CocoImageJson {
  id: number;
  file_name: string;
  width: number;
  height: number;
  [extra: string]: unknown;
}

/** An annotation record as written in a COCO file. */
export interface CocoAnnotationJson {
  id: number;
  image_id: number;
  category_id: number;
  bbox: CocoXywh;
  area: number;
  iscrowd: 0 | 1;
  segmentation?: CocoSegmentation;
  [extra: string]: unknown;
}

/** A COCO instances document. */
export interface CocoDocument {
  info?: Record<string, unknown>;
  licenses?: unknown[];
  images: CocoImageJson[];
  annotations: CocoAnnotationJson[];
  categories: CocoCategory[];
}
