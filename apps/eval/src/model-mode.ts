/**
 * `retina-eval --model RUN/model --ann ANN.json --images DIR`: runs a trained detector over a COCO
 * (subset), writes COCO results (original category ids, xywh), then scores them like `--gt/--dt`.
 * With `--queue`, workers run the inference (queue/sharded.ts); the scoring is the same.
 */
import { SingleBar, Presets } from 'cli-progress';
import { loadCocoDataset } from '@retina/coco';
import { selectEngine } from '@retina/engine/node';
import { loadRetinaNet } from '@retina/retinanet/node';
import type { InferredOptionTypes, Options } from 'yargs';
import { resolveCategoryIds } from './categories';
import { checkConfusionArgs } from './confusion-files';
import { detectImages, evaluationImages } from './detect-images';
import { checkPositive, inferenceOptions, testSize } from './inference-options';
import type { CliIo } from './io';
import { scoreDetections } from './model-score';
import { checkShardArgs, shardOptions } from './queue/shard-options';

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
  ...shardOptions,
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
  ['$0 --model /shared/runs/demo/model --ann /shared/val.json --images /shared/images --queue redis://redis:6379 --out dt.json', 'the inference on the workers of a queue (retina-eval worker), 16 images a job; the same files as in one process'],
];

export const isModelMode = (args: Partial<ModelArgs>): boolean => args.model !== undefined;

export function checkModelArgs(args: Partial<ModelArgs>): string | undefined {
  if (args.ann === undefined || args.images === undefined) return '--model needs --ann ANN.json and --images DIR';
  const notPositive = checkPositive(args, ['image-size', 'max-size', 'batch-size']);
  if (notPositive) return notPositive;
  if (args['max-images'] !== undefined && !(args['max-images'] >= 1)) return `--max-images must be ≥ 1 (got ${args['max-images']})`;
  return checkShardArgs(args) ?? checkConfusionArgs(args);
}

/** `--model` in this process: detect on every image, then score. */
export async function runModel(args: ModelArgs, io: CliIo): Promise<number> {
  const engine = await selectEngine({ backend: args.backend as never });
  io.err(`retina-eval: ${engine.describe()}`);
  const net = await loadRetinaNet(args.model as string);
  try {
    const categoryIds = args.categories?.length ? resolveCategoryIds(args.categories, net.config.categories ?? [], 'the model') : undefined;
    const dataset = await loadCocoDataset(args.ann as string, args.images as string);
    const size = testSize(args, net);
    io.err(`retina-eval: ${size.describe}`);
    const selection = { batchSize: args['batch-size'], imageIds: args['image-ids'], maxImages: args['max-images'] };
    const images = evaluationImages(dataset, selection);
    const bar = args.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'detect {bar} {value}/{total} images | {ips} img/s | ETA {eta_formatted}' }, Presets.shades_classic);
    bar?.start(images.length, 0, { ips: '-' });
    const t0 = performance.now();
    let done = 0;
    const results = await detectImages(net, dataset, { ...selection, shortSide: size.shortSide, maxSize: size.maxSize }, {
      onBatch: (n) => {
        done += n;
        bar?.update(done, { ips: (done / ((performance.now() - t0) / 1000)).toFixed(2) });
      },
      onWarning: (m) => io.err(`retina-eval: warning: ${m}`),
    });
    bar?.stop();
    io.err(`retina-eval: ${results.length} detections on ${done} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await scoreDetections(args, results, images.map((im) => im.id), categoryIds, io);
    return 0;
  } finally {
    net.dispose();
  }
}
