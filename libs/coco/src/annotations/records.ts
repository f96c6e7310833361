/**
 * Checks of the three COCO record kinds. Each function reads only the fields it knows into a fresh
 * object (nothing of the parsed JSON is kept by reference, so nothing in the file can smuggle in
 * prototypes or getters) and throws a one-line `CocoFormatError` on the first problem.
 */
import { fileNameProblem } from './paths';
import { isObject, jsonType, RecordChecker } from './record-checker';
import { checkSegmentation } from './segmentation';
import type { CocoCategory, CocoSegmentation, CocoXywh } from '../types';
import { CocoFormatError, describeValue, type RecordKind } from '../errors';

export interface ImageRecord {
  id: number;
  fileName: string;
  width: number;
  height: number;
}

export interface AnnotationRecord {
  id: number;
  imageId: number;
  categoryId: number;
  bbox: CocoXywh;
  area: number;
  iscrowd: boolean;
  segmentation?: CocoSegmentation;
}

export function checkImage(file: string, raw: unknown, index: number): ImageRecord {
  const c = checker(file, 'image', raw, index);
  const fileName = c.string('file_name');
  const problem = fileNameProblem(fileName);
  if (problem) c.fail('file_name', `${problem} (got ${describeValue(fileName)})`);
  return { id: c.recordId as number, fileName, width: c.int('width', 1), height: c.int('height', 1) };
}

export function checkCategory(file: string, raw: unknown, index: number): CocoCategory {
  const c = checker(file, 'category', raw, index);
  const category: CocoCategory = { id: c.recordId as number, name: c.string('name') };
  const supercategory = c.optionalString('supercategory');
  if (supercategory !== undefined) category.supercategory = supercategory;
  return category;
}

export function checkAnnotation(
  file: string,
  raw: unknown,
  index: number,
  keepSegmentation: boolean,
): AnnotationRecord {
  const c = checker(file, 'annotation', raw, index);
  const bbox = checkBbox(c);
  const record: AnnotationRecord = {
    id: c.recordId as number,
    imageId: c.int('image_id', 0),
    categoryId: c.int('category_id', 0),
    bbox,
    area: c.has('area') ? checkArea(c) : bbox[2] * bbox[3],
    iscrowd: checkIscrowd(c),
  };
  if (c.has('segmentation')) {
    const segmentation = checkSegmentation(c, c.get('segmentation'));
    if (keepSegmentation) record.segmentation = segmentation;
  }
  return record;
}

/** Checks that the record is an object with a valid `id`, then locates later errors at that id. */
function checker(file: string, kind: RecordKind, raw: unknown, index: number): RecordChecker {
  if (!isObject(raw)) {
    throw new CocoFormatError(file, kind, `#${index}`, null, `must be an object (got ${jsonType(raw)})`);
  }
  const c = new RecordChecker(file, kind, `#${index}`, raw);
  c.recordId = c.int('id', 0);
  return c;
}

function checkBbox(c: RecordChecker): CocoXywh {
  const v = c.get('bbox');
  if (v === undefined) c.fail('bbox', 'is missing');
  if (!Array.isArray(v) || v.length !== 4) {
    c.fail('bbox', `must be an array of 4 numbers [x, y, width, height] (got ${describeValue(v)})`);
  }
  const b = v.map((x, i) => c.finite(`bbox[${i}]`, x)) as CocoXywh;
  if (!(b[2] > 0)) c.fail('bbox width', `must be > 0 (got ${b[2]})`);
  if (!(b[3] > 0)) c.fail('bbox height', `must be > 0 (got ${b[3]})`);
  return b;
}

function checkArea(c: RecordChecker): number {
  const area = c.finite('area');
  if (area < 0) c.fail('area', `must be >= 0 (got ${area})`);
  return area;
}

function checkIscrowd(c: RecordChecker): boolean {
  if (!c.has('iscrowd')) return false;
  const v = c.get('iscrowd');
  if (v === 0 || v === 1 || typeof v === 'boolean') return v === 1 || v === true;
  return c.fail('iscrowd', `must be 0 or 1 (got ${describeValue(v)})`);
}
