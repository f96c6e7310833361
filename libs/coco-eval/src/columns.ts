import { CocoEvalInputError, describeValue } from './errors';
import type { CocoResult, DetectionColumns } from './types';

const INITIAL_CAPACITY = 1024;

function grow(array: Float64Array, capacity: number): Float64Array {
  const bigger = new Float64Array(capacity);
  bigger.set(array);
  return bigger;
}

/** Reads a field that must be a finite number, or says which record and field are wrong. */
function finiteField(record: Record<string, unknown>, field: string, fail: (detail: string) => never): number {
  if (!(field in record)) fail(`missing field '${field}'`);
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${field} must be a finite number (got ${describeValue(value)})`);
  }
  return value as number;
}

/**
 * Validates COCO result records one at a time and packs them into `DetectionColumns`
 * (growable typed arrays, no object kept per detection). Record i is named `result i` in errors.
 */
export class DetectionColumnsBuilder {
  private capacity = INITIAL_CAPACITY;
  private count = 0;
  private imageIds: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private categoryIds: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private boxes: Float64Array = new Float64Array(INITIAL_CAPACITY * 4);
  private scores: Float64Array = new Float64Array(INITIAL_CAPACITY);

  /** @param source the input's name in error messages (e.g. the results file path). */
  constructor(private readonly source: string) {}

  add(record: unknown): void {
    const i = this.count;
    const fail = (detail: string): never => {
      throw new CocoEvalInputError(this.source, `result ${i}`, detail);
    };
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      fail(`must be an object {image_id, category_id, bbox, score} (got ${describeValue(record)})`);
    }
    const r = record as Record<string, unknown>;
    const imageId = finiteField(r, 'image_id', fail);
    const categoryId = finiteField(r, 'category_id', fail);
    if (!('bbox' in r)) fail("missing field 'bbox'");
    const bbox = r.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      fail(`bbox must be 4 finite numbers [x, y, width, height] (got ${describeValue(bbox)})`);
    }
    const [x, y, w, h] = bbox as number[];
    if (w < 0 || h < 0) fail(`bbox width and height must be >= 0 (got ${describeValue(bbox)})`);
    const score = finiteField(r, 'score', fail);
    this.reserve(i + 1);
    this.imageIds[i] = imageId;
    this.categoryIds[i] = categoryId;
    this.boxes[i * 4] = x;
    this.boxes[i * 4 + 1] = y;
    this.boxes[i * 4 + 2] = w;
    this.boxes[i * 4 + 3] = h;
    this.scores[i] = score;
    this.count = i + 1;
  }

  build(): DetectionColumns {
    const n = this.count;
    return {
      count: n,
      imageIds: this.imageIds.slice(0, n),
      categoryIds: this.categoryIds.slice(0, n),
      boxes: this.boxes.slice(0, n * 4),
      scores: this.scores.slice(0, n),
    };
  }

  private reserve(size: number): void {
    if (size <= this.capacity) return;
    this.capacity *= 2;
    this.imageIds = grow(this.imageIds, this.capacity);
    this.categoryIds = grow(this.categoryIds, this.capacity);
    this.boxes = grow(this.boxes, this.capacity * 4);
    this.scores = grow(this.scores, this.capacity);
  }
}

/** Validates an in-memory COCO results list and packs it into columns. */
export function toDetectionColumns(results: readonly CocoResult[], source = 'detections'): DetectionColumns {
  if (!Array.isArray(results)) {
    throw new CocoEvalInputError(source, 'results', `must be a list of {image_id, category_id, bbox, score} (got ${describeValue(results)})`);
  }
  const builder = new DetectionColumnsBuilder(source);
  for (const record of results) builder.add(record);
  return builder.build();
}

/** True when `value` is already packed detections rather than a list of records. */
export function isDetectionColumns(value: unknown): value is DetectionColumns {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as DetectionColumns).scores instanceof Float64Array;
}
