/**
 * `retina-eval --model RUN/model --ann ANN.json --images DIR`: runs a trained detector over a COCO
 * (subset), writes COCO results (original category ids, xywh), then scores them like `--gt/--dt`.
 */
import { SingleBar, Presets } from 'cli-progress';
import { createEvalLoader, loadCocoDataset } from '@retina/coco';
import { evaluateBbox, evalJson, loadGroundTruthFile, perClassTable, summaryLines, type CocoResult } from '@retina/coco-eval';
import { selectEngine } from '@retina/engine';
import { detectAll, loadRetinaNet, type RetinaNet } from '@retina/retinanet';
import type { InferredOptionTypes, Options } from 'yargs';
import { resolveCategoryIds } from './categories';
import { checkConfusionArgs } from './confusion-files';
import { writeFileAtomic } from './fs-utils';
import { writeImbalanceReport } from './imbalance-files';
import { checkPositive, inferenceOptions, testSize } from './inference-options';
import type { CliIo } from './io';

const GROUP = 'Model (--model RUN/model --ann ANN.json --images DIR):';
export const modelOptions = {
  model: { type: 'string', requiresArg: true, group: GROUP, describe: 'saved model directory (RUN/model of retina-train)' },
  ann: { type: 'string', requiresArg: true, group: GROUP, describe: 'COCO instances JSON of the images to run on (also the ground truth)' },
  images: { type: 'string', requiresArg: true, group: GROUP, describe: 'folder the file_names of --ann are relative to' },
  out: { type: 'string', requiresArg: true, group: GROUP, describe: 'write the COCO results JSON here' },
  'max-images': { type: 'number', requiresArg: true, group: GROUP, describe: 'run on the first N images only' },
  'image-ids': { type: 'number', array: true, requiresArg: true, group: GROUP, describe: 'run on these image ids only' },
  'batch-size': { type: 'number', default: 4, requiresArg: true, group: GROUP, describe: 'images per forward pass' },
  ...inferenceOptions(GROUP),
} as const satisfies Record<string, Options>;

export type ModelArgs = InferredOptionTypes<typeof modelOptions> & {
  json?: string;
  report?: string;
  categories?: (string | number)[];
  sort?: 'id' | 'name' | 'ap';
  'score-threshold'?: number;
  'conf-iou'?: number;
  'conf-score'?: number;
};

export const modelExamples: readonly [string, string][] = [
  ['$0 --model runs/demo/model --ann data/raccoon/annotations/instances_val.json --images data/raccoon/images --out dt.json --json eval.json', 'detect, write results, score'],
  ['$0 --model runs/demo/model --ann instances_val.json --images val2017 --max-images 500 --categories person dog', 'a COCO subset'],
  ['$0 --model runs/demo/model --ann data/raccoon/annotations/instances_val.json --images data/raccoon/images --report report', 'also write a class-imbalance report'],
];

export const isModelMode = (args: Partial<ModelArgs>): boolean => args.model !== undefined;

export function checkModelArgs(args: Partial<ModelArgs>): string | undefined {
  if (args.ann === undefined || args.images === undefined) return '--model needs --ann ANN.json and --images DIR';
  const notPositive = checkPositive(args, ['image-size', 'max-size', 'batch-size']);
  if (notPositive) return notPositive;
  if (args['max-images'] !== undefined && !(args['max-images'] >= 1)) return `--max-images must be ≥ 1 (got ${args['max-images']})`;
  return checkConfusionArgs(args);
}

async function detect(net: RetinaNet, args: ModelArgs, io: CliIo): Promise<{ results: CocoResult[]; imageIds: number[] }> {
  const dataset = await loadCocoDataset(args.ann as string, args.images as string);
  const size = testSize(args, net);
  io.err(`retina-eval: ${size.describe}`);
  const loader = createEvalLoader(dataset, {
    batchSize: args['batch-size'],
    shortSide: size.shortSide,
    maxSize: size.maxSize,
    padMultiple: net.sizeMultiple,
    maxImages: args['max-images'],
    imageIds: args['image-ids'],
    onWarning: (m) => io.err(`retina-eval: warning: ${m}`),
  });
  const bar = args.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'detect {bar} {value}/{total} images | {ips} img/s | ETA {eta_formatted}' }, Presets.shades_classic);
  bar?.start(loader.images.length, 0, { ips: '-' });
  const t0 = performance.now();
  let done = 0;
  const results = await detectAll(net, loader.epoch(0), (n) => {
    done += n;
    bar?.update(done, { ips: (done / ((performance.now() - t0) / 1000)).toFixed(2) });
  });
  bar?.stop();
  io.err(`retina-eval: ${results.length} detections on ${done} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { results, imageIds: loader.images.map((im) => im.id) };
}

export async function runModel(args: ModelArgs, io: CliIo): Promise<number> {
  const engine = await selectEngine({ backend: args.backend as never });
  io.err(`retina-eval: ${engine.describe()}`);
  const net = await loadRetinaNet(args.model as string);
  try {
    const modelCategories = net.config.categories ?? [];
    const categoryIds = args.categories?.length ? resolveCategoryIds(args.categories, modelCategories, 'the model') : undefined;
    const { results, imageIds } = await detect(net, args, io);
    const kept = categoryIds ? results.filter((r) => categoryIds.includes(r.category_id)) : results;
    if (args.out !== undefined) {
      await writeFileAtomic(args.out, `${JSON.stringify(kept)}\n`);
      io.err(`retina-eval: wrote ${args.out}`);
    }
    const gt = await loadGroundTruthFile(args.ann as string);
    const sourceNames = { groundTruth: args.ann as string, detections: args.out ?? '(detections)' };
    const result = evaluateBbox(gt, kept, { imageIds, categoryIds, scoreThreshold: args['score-threshold'], sourceNames });
    summaryLines(result.stats, result.params).forEach((line) => io.out(line));
    io.out('');
    perClassTable(result, args.sort ?? 'id').forEach((line) => io.out(line));
    if (args.json !== undefined) {
      await writeFileAtomic(args.json, `${JSON.stringify(evalJson(result), null, 2)}\n`);
      io.err(`retina-eval: wrote ${args.json}`);
    }
    if (args.report !== undefined) {
      const options = { iouThreshold: args['conf-iou'], scoreThreshold: args['conf-score'], imageIds, categoryIds, sourceNames };
      const sources = { groundTruth: args.ann as string, detections: args.out ?? `(detections of ${args.model})` };
      await writeImbalanceReport(args.report, result, sources, { groundTruth: gt, detections: kept, options }, io);
    }
    return 0;
  } finally {
    net.dispose();
  }
}

