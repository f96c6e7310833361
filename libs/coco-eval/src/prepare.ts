import { isDetectionColumns, toDetectionColumns } from './columns';
import { CocoEvalInputError } from './errors';
import { validateGroundTruth } from './ground-truth';
import {
  AREA_RANGES,
  RECALL_THRESHOLDS,
  resolveSubset,
  resolveThresholds,
  type EvalParams,
  type EvaluateBboxOptions,
} from './params';
import type { CocoGroundTruth, CocoResult, DetectionColumns } from './types';

/** Boxes of the evaluated images and categories, in input (file) order. */
export interface IndexedBoxes {
  readonly count: number;
  readonly imageIndex: Int32Array; // [N], index into params.imageIds
  readonly categoryIndex: Int32Array; // [N], index into params.categoryIds
  readonly boxes: Float64Array; // [N * 4], COCO xywh
}

export interface GroundTruthTable extends IndexedBoxes {
  readonly areas: Float64Array; // [G], the annotation `area` field
  readonly crowd: Uint8Array; // [G]
}

export interface DetectionTable extends IndexedBoxes {
  readonly scores: Float64Array; // [D]
}

/** Validated, indexed inputs of one evaluation. */
export interface PreparedInputs {
  readonly params: EvalParams;
  readonly gt: GroundTruthTable;
  readonly dt: DetectionTable;
}

const indexOf = (ids: readonly number[]): Map<number, number> => new Map(ids.map((id, i) => [id, i]));

/** Rows whose image and category are evaluated, with their indices into the evaluated id lists. */
function selectRows(
  count: number,
  imageIds: Float64Array,
  categoryIds: Float64Array,
  images: Map<number, number>,
  categories: Map<number, number>,
): { rows: Int32Array; imageIndex: Int32Array; categoryIndex: Int32Array } {
  const rows: number[] = [];
  for (let i = 0; i < count; i++) {
    if (images.has(imageIds[i]) && categories.has(categoryIds[i])) rows.push(i);
  }
  const imageIndex = new Int32Array(rows.length);
  const categoryIndex = new Int32Array(rows.length);
  for (let j = 0; j < rows.length; j++) {
    imageIndex[j] = images.get(imageIds[rows[j]]) as number;
    categoryIndex[j] = categories.get(categoryIds[rows[j]]) as number;
  }
  return { rows: Int32Array.from(rows), imageIndex, categoryIndex };
}

/** Rows `rows` of a table with `width` numbers per row. */
function gatherRows<T extends Float64Array | Uint8Array>(values: T, rows: Int32Array, width: number, out: T): T {
  for (let j = 0; j < rows.length; j++) {
    for (let c = 0; c < width; c++) out[j * width + c] = values[rows[j] * width + c];
  }
  return out;
}

function checkDetectionReferences(dt: DetectionColumns, imageIds: readonly number[], categoryIds: readonly number[], source: string): void {
  const images = new Set(imageIds);
  const categories = new Set(categoryIds);
  for (let i = 0; i < dt.count; i++) {
    if (!images.has(dt.imageIds[i])) {
      throw new CocoEvalInputError(source, `result ${i}`, `image_id ${dt.imageIds[i]} is not an image of the ground truth`);
    }
    if (!categories.has(dt.categoryIds[i])) {
      throw new CocoEvalInputError(source, `result ${i}`, `category_id ${dt.categoryIds[i]} is not a category of the ground truth`);
    }
  }
}

/**
 * Validates both inputs and the options, and indexes the boxes of the evaluated images and
 * categories. Detections on an unknown image or category are an error (the reference's loadRes
 * asserts the former); those outside an `imageIds` / `categoryIds` subset are left out.
 */
export function prepareInputs(
  groundTruth: CocoGroundTruth,
  detections: readonly CocoResult[] | DetectionColumns,
  opts: EvaluateBboxOptions = {},
): PreparedInputs {
  const gtSource = opts.sourceNames?.groundTruth ?? 'groundTruth';
  const dtSource = opts.sourceNames?.detections ?? 'detections';
  const truth = validateGroundTruth(groundTruth, gtSource);
  const columns = isDetectionColumns(detections) ? detections : toDetectionColumns(detections, dtSource);
  checkDetectionReferences(columns, truth.imageIds, truth.categoryIds, dtSource);
  const imageIds = resolveSubset('imageIds', opts.imageIds, truth.imageIds);
  const categoryIds = resolveSubset('categoryIds', opts.categoryIds, truth.categoryIds);
  const params: EvalParams = {
    imageIds,
    categoryIds,
    categoryNames: categoryIds.map((id) => truth.categoryNames.get(id) as string),
    classAgnostic: opts.classAgnostic ?? false,
    recallThresholds: RECALL_THRESHOLDS,
    areaRanges: AREA_RANGES,
    ...resolveThresholds(opts),
  };
  const images = indexOf(imageIds);
  const categories = indexOf(categoryIds);
  const a = truth.annotations;
  const g = selectRows(a.count, a.imageIds, a.categoryIds, images, categories);
  const d = selectRows(columns.count, columns.imageIds, columns.categoryIds, images, categories);
  return {
    params,
    gt: {
      count: g.rows.length,
      imageIndex: g.imageIndex,
      categoryIndex: g.categoryIndex,
      boxes: gatherRows(a.boxes, g.rows, 4, new Float64Array(g.rows.length * 4)),
      areas: gatherRows(a.areas, g.rows, 1, new Float64Array(g.rows.length)),
      crowd: gatherRows(a.crowd, g.rows, 1, new Uint8Array(g.rows.length)),
    },
    dt: {
      count: d.rows.length,
      imageIndex: d.imageIndex,
      categoryIndex: d.categoryIndex,
      boxes: gatherRows(columns.boxes, d.rows, 4, new Float64Array(d.rows.length * 4)),
      scores: gatherRows(columns.scores, d.rows, 1, new Float64Array(d.rows.length)),
    },
  };
}
