/**
 * Reading the study's results: the per-class numbers of a `retina-eval --json` file, the rare
 * class of a dataset, and the rare class's recall at IoU 0.5 from the detections.
 */
import { evaluateBbox, type ClassMetrics, type CocoGroundTruth, type CocoResult, type DetectionColumns } from '@retina/coco-eval';
import { StudyError } from './errors';
import type { CurvePoint, PrPoints } from './stats';

/** The part of `retina-eval --json` that the study reads. */
export interface EvalFile {
  /** The 12 standard COCO numbers: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
  readonly stats: readonly number[];
  readonly perClass: readonly EvalClass[];
}

/** The per-class fields the study reads (`retina-eval --json` writes coco-eval's ClassMetrics). */
export type EvalClass = Pick<ClassMetrics, 'categoryId' | 'name' | 'ap' | 'ap50' | 'numGt'>;

/** What the table reports for one run; −1 where a number is undefined (no ground truth). */
export interface RunMetrics {
  /** AP@[.50:.95] over all classes. */
  readonly ap: number;
  readonly ap50: number;
  /** The rare class's AP@[.50:.95] and AP50. */
  readonly rareAp: number;
  readonly rareAp50: number;
  /** The rare class's recall at IoU 0.5 with up to 100 detections per image. */
  readonly rareRecall50: number;
}

/** The dataset's rare class. */
export interface RareCategory {
  readonly id: number;
  readonly name: string;
  /** Its annotations in the document it was found in. */
  readonly count: number;
}

const STATS_LENGTH = 12;
const AP = 0;
const AP50 = 1;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parses and checks the text of a `retina-eval --json` file.
 * @param source the file's name in error messages
 * @throws StudyError naming the file and field that is wrong
 */
export function parseEvalFile(text: string, source: string): EvalFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StudyError(`${source}: not JSON (${(e as Error).message})`);
  }
  const o = doc as Partial<Record<keyof EvalFile, unknown>> | null;
  if (o === null || typeof o !== 'object') throw new StudyError(`${source}: expected an object with stats and perClass`);
  if (!Array.isArray(o.stats) || o.stats.length !== STATS_LENGTH || !o.stats.every(isNumber)) {
    throw new StudyError(`${source}: stats must be ${STATS_LENGTH} numbers`);
  }
  if (!Array.isArray(o.perClass)) throw new StudyError(`${source}: perClass must be an array`);
  o.perClass.forEach((c: Partial<Record<keyof EvalClass, unknown>> | null, i) => {
    const bad = (['categoryId', 'ap', 'ap50', 'numGt'] as const).find((k) => !isNumber(c?.[k]));
    if (bad !== undefined || typeof c?.name !== 'string') throw new StudyError(`${source}: perClass[${i}].${bad ?? 'name'} is missing or not a ${bad ? 'number' : 'string'}`);
  });
  return o as EvalFile;
}

/**
 * The generator's rare class: its last category (the highest id), with its annotations in `doc`
 * (crowd regions not counted).
 * @throws StudyError when the document has no categories
 */
export function rareCategory(doc: Pick<CocoGroundTruth, 'annotations' | 'categories'>, source: string): RareCategory {
  if (doc.categories.length === 0) throw new StudyError(`${source}: no categories`);
  const last = doc.categories.reduce((a, b) => (b.id > a.id ? b : a));
  const count = doc.annotations.filter((a) => a.category_id === last.id && !a.iscrowd).length;
  return { id: last.id, name: last.name ?? `category ${last.id}`, count };
}

/** One class's detection quality at IoU 0.5 (up to 100 detections per image), from the COCO evaluator. */
export interface ClassAt50 {
  /** Highest recall reached (−1 when the class has no ground truth). */
  readonly recall: number;
  /** COCO's interpolated precision at its 101 recall thresholds. */
  readonly pr: PrPoints;
}

/** The COCO evaluator run on one category at the single IoU threshold 0.5: its recall and PR curve. */
export function classAt50(gt: CocoGroundTruth, detections: readonly CocoResult[] | DetectionColumns, categoryId: number): ClassAt50 {
  const result = evaluateBbox(gt, detections, { categoryIds: [categoryId], iouThresholds: [0.5] });
  const curve = result.prCurves[0];
  return { recall: result.perClass[0].ar100, pr: { recall: [...curve.recall], precision: [...curve.precision] } };
}

/**
 * The validation curve of a retina-train run: AP@[.50:.95] at each validation, from the epoch
 * records of its metrics.jsonl (`stats[0]`).
 * @throws StudyError naming the file and line of a record that is not JSON
 */
export function validationCurve(metricsJsonl: string, source: string): CurvePoint[] {
  const points: CurvePoint[] = [];
  metricsJsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r: { kind?: string; iteration?: number; stats?: number[] };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      throw new StudyError(`${source}:${i + 1}: not JSON`);
    }
    if (r.kind === 'epoch' && Array.isArray(r.stats) && typeof r.iteration === 'number') points.push({ iteration: r.iteration, ap: r.stats[AP] });
  });
  return points;
}

/**
 * The table's numbers for one run: overall AP and AP50, and the rare class's AP and AP50 from its
 * eval file; its recall at IoU 0.5 as computed by `classAt50`.
 * @throws StudyError when the eval file has no entry for the rare class
 */
export function runMetrics(evalFile: EvalFile, rareCategoryId: number, rareRecall50: number, source: string): RunMetrics {
  const rare = evalFile.perClass.find((c) => c.categoryId === rareCategoryId);
  if (rare === undefined) throw new StudyError(`${source}: perClass has no category ${rareCategoryId} (the rare class)`);
  return { ap: evalFile.stats[AP], ap50: evalFile.stats[AP50], rareAp: rare.ap, rareAp50: rare.ap50, rareRecall50 };
}
