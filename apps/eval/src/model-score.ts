/**
 * The second half of `--model` mode, in one process or across workers alike: keep the asked-for
 * categories, write the COCO results (`--out`), score them (summary, table, `--json`) and write the
 * `--report`.
 */
import { evaluateBbox, loadGroundTruthFile, type CocoResult } from '@retina/coco-eval';
import { reportEvaluation } from './eval-output';
import { writeOutputFile } from './fs-utils';
import { writeImbalanceReport } from './imbalance-files';
import type { CliIo } from './io';
import type { ModelArgs } from './model-mode';

/**
 * @param results every image's detections, in the order of `imageIds`
 * @param imageIds the evaluated images (dataset order)
 * @param categoryIds the `--categories` asked for, resolved; undefined for all
 */
export async function scoreDetections(args: ModelArgs, results: readonly CocoResult[], imageIds: readonly number[], categoryIds: number[] | undefined, io: CliIo): Promise<void> {
  const kept = categoryIds ? results.filter((r) => categoryIds.includes(r.category_id)) : results;
  if (args.out !== undefined) {
    await writeOutputFile(args.out, `${JSON.stringify(kept)}\n`);
    io.err(`retina-eval: wrote ${args.out}`);
  }
  const gt = await loadGroundTruthFile(args.ann as string);
  const sourceNames = { groundTruth: args.ann as string, detections: args.out ?? '(detections)' };
  const result = evaluateBbox(gt, kept, { imageIds, categoryIds, scoreThreshold: args['score-threshold'], sourceNames });
  await reportEvaluation(result, { json: args.json, sort: args.sort ?? 'id' }, io);
  if (args.report !== undefined) {
    const options = { iouThreshold: args['conf-iou'], scoreThreshold: args['conf-score'], imageIds, categoryIds, sourceNames };
    const sources = { groundTruth: args.ann as string, detections: args.out ?? `(detections of ${args.model})` };
    await writeImbalanceReport(args.report, result, sources, { groundTruth: gt, detections: kept, options }, io);
  }
}
