/**
 * The retina-train command line: every flag, its default and its documentation live here. A config
 * file (--config, YAML or JSON, keys as the long flag names) supplies values; flags override it.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import YAML from 'yaml';
import { UserError } from './errors';

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const BACKBONES = ['narrow', 'resnet18', 'resnet34', 'resnet50'] as const;
export const LOSSES = ['focal', 'ce', 'balanced-ce'] as const;
export const BOX_LOSSES = ['smooth-l1', 'l1', 'giou'] as const;
export const SCHEDULES = ['step', 'cosine'] as const;

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`--config ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    const parsed = path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('expected a mapping of flag names to values');
    }
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`--config ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** `--iterations` and `--epochs` replace each other: the one on the command line wins over the config file's. */
function budgetFromCommandLine(argv: readonly string[]): 'iterations' | 'epochs' | undefined {
  const given = (name: string) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return given('iterations') ? 'iterations' : given('epochs') ? 'epochs' : undefined;
}

export function buildParser(argv: string[]) {
  const budget = budgetFromCommandLine(argv);
  const dropOtherBudget = (file: Record<string, unknown>): Record<string, unknown> => {
    if (budget === undefined) return file;
    const rest = { ...file };
    delete rest[budget === 'iterations' ? 'epochs' : 'iterations'];
    return rest;
  };
  return yargs(argv)
    .scriptName('retina-train')
    .usage('$0 --train-ann A.json --train-images DIR [--val-ann V.json --val-images DIR] --out RUN [options]\n\n' +
      'Trains a RetinaNet detector on a COCO-format dataset. RUN/ receives model/ (for retina-eval --model), ' +
      'checkpoints/last and checkpoints/best, metrics.jsonl, results.csv and plots/.')
    .config('config', 'YAML or JSON file with flag values (long names as keys); flags given here override it',
      (path: string) => dropOtherBudget(readConfigFile(path)))
    .group(['train-ann', 'train-images', 'val-ann', 'val-images', 'out', 'resume', 'init-from'], 'Data and run:')
    .option('train-ann', { type: 'string', describe: 'COCO instances JSON of the training set' })
    .option('train-images', { type: 'string', describe: 'Folder that the training file_names are relative to' })
    .option('val-ann', { type: 'string', describe: 'COCO instances JSON of the validation set (enables mAP)' })
    .option('val-images', { type: 'string', describe: 'Folder of the validation images' })
    .option('out', { type: 'string', describe: 'Run directory to create (or reuse with --resume)' })
    .option('resume', { type: 'string', describe: 'Continue the run in this directory exactly where it stopped' })
    .option('init-from', { type: 'string', describe: 'Fine-tune: start from the weights of RUN/model' })
    .group(['backbone', 'width', 'fpn-channels', 'head-convs', 'head-channels', 'pretrained', 'freeze-backbone',
      'loss', 'alpha', 'gamma', 'box-loss'], 'Model and loss:')
    .option('backbone', { choices: BACKBONES, default: 'narrow' as const, describe: 'Backbone network' })
    .option('width', { type: 'number', default: 32, describe: 'Stem width of the narrow backbone (stages double it)' })
    .option('fpn-channels', { type: 'number', default: 64, describe: 'Channels of the FPN levels' })
    .option('head-convs', { type: 'number', default: 2, describe: '3x3 convs per head subnet (paper: 4)' })
    .option('head-channels', { type: 'number', default: 64, describe: 'Channels of the head convs' })
    .option('pretrained', { type: 'string', describe: 'tfjs LayersModel directory to initialise the backbone' })
    .option('freeze-backbone', { type: 'boolean', default: false, describe: 'Do not train the backbone' })
    .option('loss', { choices: LOSSES, default: 'focal' as const, describe: 'Classification loss' })
    .option('alpha', { type: 'number', default: 0.25, describe: 'Focal / balanced-CE alpha (negative: off)' })
    .option('gamma', { type: 'number', default: 2, describe: 'Focal gamma' })
    .option('box-loss', { choices: BOX_LOSSES, default: 'smooth-l1' as const, describe: 'Box-regression loss' })
    .group(['epochs', 'iterations', 'batch-size', 'lr', 'momentum', 'weight-decay', 'schedule', 'warmup-iters',
      'clip-grad', 'time-limit'], 'Optimisation:')
    .option('epochs', { type: 'number', describe: 'Number of epochs (default 12 unless --iterations is set)' })
    .option('iterations', { type: 'number', describe: 'Number of optimizer steps instead of --epochs' })
    .option('batch-size', { type: 'number', default: 4, describe: 'Images per step' })
    .option('lr', { type: 'number', default: 0.01, describe: 'Peak learning rate (SGD)' })
    .option('momentum', { type: 'number', default: 0.9, describe: 'SGD momentum' })
    .option('weight-decay', { type: 'number', default: 1e-4, describe: 'L2 weight decay (not on norm/bias)' })
    .option('schedule', { choices: SCHEDULES, default: 'cosine' as const, describe: 'LR schedule after warmup' })
    .option('warmup-iters', { type: 'number', default: 100, describe: 'Linear warmup steps' })
    .option('clip-grad', { type: 'number', default: 10, describe: 'Clip the global gradient norm (0: off)' })
    .option('time-limit', { type: 'number', describe: 'Stop (with a checkpoint) after this many seconds' })
    .group(['image-size', 'max-size', 'hflip', 'max-images', 'workers'], 'Input pipeline:')
    .option('image-size', { type: 'array', number: true, default: [320], describe: 'Shorter side in px; several values = multi-scale training' })
    .option('max-size', { type: 'number', default: 512, describe: 'Cap on the longer side' })
    .option('hflip', { type: 'number', default: 0.5, describe: 'Probability of a horizontal flip' })
    .option('max-images', { type: 'number', describe: 'Train on the first N images only' })
    .option('workers', { type: 'number', default: 2, describe: 'Concurrent image decodes' })
    .group(['seed', 'backend', 'threads', 'eval-every', 'quiet', 'json-log', 'skip-nonfinite'], 'Engine and output:')
    .option('seed', { type: 'number', default: 0, describe: 'Seed of every random choice (init, shuffle, flips)' })
    .option('backend', { choices: BACKENDS, default: 'auto' as const, describe: 'Tensor engine (auto: the fastest that loads)' })
    .option('threads', {
      type: 'number',
      default: 0,
      describe: 'Training threads on wasm/cpu: data-parallel replicas, one per thread (0: one per core; 1: no worker threads)',
    })
    .option('eval-every', { type: 'number', default: 1, describe: 'Validate every N epochs (0: only at the end)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress bar; epoch lines only' })
    .option('json-log', { type: 'boolean', default: false, describe: 'One JSON object per line on stdout' })
    .option('skip-nonfinite', { type: 'boolean', default: false, describe: 'Skip batches with a NaN/Inf loss instead of stopping' })
    .check((a) => {
      if (!a.resume && (!a['train-ann'] || !a['train-images'] || !a.out)) {
        throw new Error('--train-ann, --train-images and --out are required (or --resume RUN)');
      }
      if (a.epochs !== undefined && a.iterations !== undefined) throw new Error('give --epochs or --iterations, not both');
      if (Boolean(a['val-ann']) !== Boolean(a['val-images'])) throw new Error('--val-ann and --val-images go together');
      for (const k of ['batch-size', 'lr', 'max-size'] as const) {
        if (!(Number(a[k]) > 0)) throw new Error(`--${k} must be > 0 (got ${a[k]})`);
      }
      if (!(Number.isInteger(a.threads) && a.threads >= 0)) throw new Error(`--threads must be an integer ≥ 0 (got ${a.threads})`);
      if (!(a.hflip >= 0 && a.hflip <= 1)) throw new Error(`--hflip must be in [0, 1] (got ${a.hflip})`);
      return true;
    })
    .example('$0 --train-ann data/raccoon/annotations/instances_train.json --train-images data/raccoon/images ' +
      '--val-ann data/raccoon/annotations/instances_val.json --val-images data/raccoon/images --out runs/raccoon',
      'Train on the bundled dataset and validate every epoch')
    .example('$0 --resume runs/raccoon', 'Continue an interrupted run')
    .example('$0 --config train.yaml --lr 0.005', 'Take options from a file, override one')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110));
}

export type TrainArgs = Awaited<ReturnType<ReturnType<typeof buildParser>['parseAsync']>>;
