import { CocoEvalInputError, describeValue } from './errors';
import type { CocoGroundTruth } from './types';

/** The ground truth after validation, annotations as columns in file order. */
export interface ValidatedGroundTruth {
  readonly imageIds: readonly number[];
  readonly categoryIds: readonly number[];
  readonly categoryNames: ReadonlyMap<number, string>;
  readonly annotations: {
    readonly count: number;
    readonly imageIds: Float64Array; // [G]
    readonly categoryIds: Float64Array; // [G]
    readonly boxes: Float64Array; // [G * 4], COCO xywh
    readonly areas: Float64Array; // [G], the `area` field
    readonly crowd: Uint8Array; // [G], 1 for iscrowd regions
  };
}

type Fail = (location: string, detail: string) => never;

function recordsOf(gt: Record<string, unknown>, key: string, fail: Fail): Record<string, unknown>[] {
  const list = gt[key];
  if (!Array.isArray(list)) fail(key, `must be a list (got ${describeValue(list)})`);
  (list as unknown[]).forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) fail(`${key}[${i}]`, `must be an object (got ${describeValue(r)})`);
  });
  return list as Record<string, unknown>[];
}

function numberField(record: Record<string, unknown>, field: string, location: string, fail: Fail): number {
  if (!(field in record)) fail(location, `missing field '${field}'`);
  const v = record[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(location, `${field} must be a finite number (got ${describeValue(v)})`);
  return v as number;
}

/** Ids of a list of records; each must be a finite number and appear once. */
function uniqueIds(records: Record<string, unknown>[], key: string, fail: Fail): number[] {
  const seen = new Set<number>();
  return records.map((r, i) => {
    const id = numberField(r, 'id', `${key}[${i}]`, fail);
    if (seen.has(id)) fail(`${key}[${i}]`, `id ${id} appears more than once`);
    seen.add(id);
    return id;
  });
}

function crowdFlag(a: Record<string, unknown>, location: string, fail: Fail): number {
  const v = a.iscrowd ?? 0;
  if (v === 0 || v === false) return 0;
  if (v === 1 || v === true) return 1;
  return fail(location, `iscrowd must be 0 or 1 (got ${describeValue(v)})`);
}

/**
 * Checks a COCO instances object: `images`, `categories` and `annotations` lists, unique ids, every
 * annotation on a known image and category with a finite `bbox` (w, h ≥ 0) and `area`.
 * @param source the input's name in error messages (e.g. the file path).
 */
export function validateGroundTruth(groundTruth: CocoGroundTruth, source = 'groundTruth'): ValidatedGroundTruth {
  const fail: Fail = (location, detail) => {
    throw new CocoEvalInputError(source, location, detail);
  };
  if (typeof groundTruth !== 'object' || groundTruth === null || Array.isArray(groundTruth)) {
    fail('top level', `must be a COCO object {images, annotations, categories} (got ${Array.isArray(groundTruth) ? 'a list' : describeValue(groundTruth)})`);
  }
  const gt = groundTruth as unknown as Record<string, unknown>;
  const imageIds = uniqueIds(recordsOf(gt, 'images', fail), 'images', fail);
  const categories = recordsOf(gt, 'categories', fail);
  const categoryIds = uniqueIds(categories, 'categories', fail);
  const categoryNames = new Map(categoryIds.map((id, i) => [id, typeof categories[i].name === 'string' ? (categories[i].name as string) : String(id)]));
  const records = recordsOf(gt, 'annotations', fail);
  const knownImages = new Set(imageIds);
  const annotationIds = new Set<number>();
  const n = records.length;
  const annotations = {
    count: n,
    imageIds: new Float64Array(n),
    categoryIds: new Float64Array(n),
    boxes: new Float64Array(n * 4),
    areas: new Float64Array(n),
    crowd: new Uint8Array(n),
  };
  records.forEach((a, i) => {
    const id = numberField(a, 'id', `annotations[${i}]`, fail);
    const at = `annotations[${i}] (id ${id})`;
    if (annotationIds.has(id)) fail(at, `id ${id} appears more than once`);
    annotationIds.add(id);
    const imageId = numberField(a, 'image_id', at, fail);
    if (!knownImages.has(imageId)) fail(at, `image_id ${imageId} is not in images`);
    const categoryId = numberField(a, 'category_id', at, fail);
    if (!categoryNames.has(categoryId)) fail(at, `category_id ${categoryId} is not in categories`);
    const bbox = a.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      fail(at, `bbox must be 4 finite numbers [x, y, width, height] (got ${describeValue(bbox)})`);
    }
    const box = bbox as number[];
    if (box[2] < 0 || box[3] < 0) fail(at, `bbox width and height must be >= 0 (got ${describeValue(bbox)})`);
    annotations.imageIds[i] = imageId;
    annotations.categoryIds[i] = categoryId;
    for (let c = 0; c < 4; c++) annotations.boxes[i * 4 + c] = box[c];
    annotations.areas[i] = numberField(a, 'area', at, fail);
    annotations.crowd[i] = crowdFlag(a, at, fail);
  });
  return { imageIds, categoryIds, categoryNames, annotations };
}
