/**
 * The retina-train command line: every flag, its default and its documentation live here. A config
 * file (--config, YAML or JSON, keys as the long flag names) supplies values; flags override it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import YAML from 'yaml';
import { UserError } from '@retina/errors';

/** The package's version (`--version`): src/ and dist/ both sit beside package.json. */
export const VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const BACKBONES = ['narrow', 'resnet18', 'resnet34', 'resnet50'] as const;
export const LOSSES = ['focal', 'ce', 'balanced-ce'] as const;
export const BOX_LOSSES = ['smooth-l1', 'l1', 'giou'] as const;
export const SCHEDULES = ['step', 'cosine'] as const;
export const NORMS = ['bn', 'gn', 'frozen-bn'] as const;
export const HEAD_NORMS = ['none', 'gn'] as const;
export const OPTIMIZERS = ['adamw', 'sgd'] as const;
/** --ema's decay when the flag is given without a value (ultralytics' ModelEMA). */
export const DEFAULT_EMA_DECAY = 0.9999;

/** `--ema` alone → the default decay; `--ema D` → D; `--no-ema` / `--ema 0` → off (0). */
function emaDecay(v: unknown): number {
  if (v === true || v === '') return DEFAULT_EMA_DECAY;
  if (v === false || v === undefined) return 0;
  const d = Number(v);
  if (!(d >= 0 && d < 1)) throw new UserError(`--ema must be a decay in [0, 1) (got ${String(v)})`);
  return d;
}

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
    .group(['backbone', 'width', 'norm', 'fpn-channels', 'head-convs', 'head-channels', 'head-norm', 'min-level', 'max-level',
      'anchor-sizes', 'anchor-scales', 'anchor-ratios', 'pretrained', 'freeze-backbone', 'loss', 'alpha', 'gamma', 'box-loss'], 'Model and loss:')
    .option('backbone', { choices: BACKBONES, default: 'narrow' as const, describe: 'Backbone network' })
    .option('width', { type: 'number', default: 32, describe: 'Stem width of the narrow backbone (stages double it)' })
    .option('norm', {
      choices: NORMS,
      default: 'bn' as const,
      describe: 'Backbone norm: bn (batch statistics, synchronised over the data-parallel replicas), gn (group norm) or frozen-bn (running statistics only: for weights trained elsewhere)',
    })
    .option('fpn-channels', { type: 'number', default: 64, describe: 'Channels of the FPN levels' })
    .option('head-convs', { type: 'number', default: 2, describe: '3x3 convs per head subnet (paper: 4)' })
    .option('head-channels', { type: 'number', default: 64, describe: 'Channels of the head convs' })
    .option('head-norm', { choices: HEAD_NORMS, default: 'none' as const, describe: 'Group norm after each head conv (gn) or none' })
    .option('min-level', { type: 'number', default: 3, describe: 'Lowest pyramid level (stride 2^level) of the FPN and the anchors' })
    .option('max-level', { type: 'number', default: 7, describe: 'Highest pyramid level; inputs are padded to multiples of 2^max-level' })
    .option('anchor-sizes', { type: 'array', number: true, describe: 'Anchor base size per level, in px (default 4 × stride: 32 64 128 256 512)' })
    .option('anchor-scales', { type: 'array', number: true, describe: 'Multipliers of every base size (default 1 1.26 1.587)' })
    .option('anchor-ratios', { type: 'array', number: true, describe: 'Anchor aspect ratios h/w (default 0.5 1 2)' })
    .option('pretrained', {
      type: 'string',
      describe: 'Backbone weights of a Keras applications ResNet converted to a tfjs LayersModel directory (model.json + shards; see the README); resnet backbones only',
    })
    .option('freeze-backbone', { type: 'boolean', default: false, describe: 'Do not train the backbone (weights from --pretrained or --init-from)' })
    .option('loss', { choices: LOSSES, default: 'focal' as const, describe: 'Classification loss' })
    .option('alpha', { type: 'number', default: 0.25, describe: 'Focal / balanced-CE alpha (negative: off)' })
    .option('gamma', { type: 'number', default: 2, describe: 'Focal gamma' })
    .option('box-loss', { choices: BOX_LOSSES, default: 'smooth-l1' as const, describe: 'Box-regression loss' })
    .group(['epochs', 'iterations', 'time-limit', 'batch-size', 'optimizer', 'lr', 'momentum', 'weight-decay', 'schedule', 'warmup-iters',
      'warmup-fraction', 'clip-grad', 'ema', 'ema-tau', 'patience'], 'Optimisation:')
    .option('epochs', { type: 'number', describe: 'Number of epochs (default 12 unless --iterations or --time-limit is given)' })
    .option('iterations', { type: 'number', describe: 'Number of optimizer steps instead of --epochs' })
    .option('batch-size', { type: 'number', default: 4, describe: 'Images per step' })
    .option('optimizer', { choices: OPTIMIZERS, default: 'adamw' as const, describe: 'AdamW (decoupled weight decay) or SGD with momentum' })
    .option('lr', { type: 'number', describe: 'Peak learning rate (default: adamw 1e-3, sgd 0.01; batch 4)' })
    .option('momentum', { type: 'number', default: 0.9, describe: 'SGD momentum' })
    .option('weight-decay', { type: 'number', default: 1e-4, describe: 'Weight decay (decoupled for AdamW, L2 for SGD; not on norm/bias)' })
    .option('schedule', { choices: SCHEDULES, default: 'cosine' as const, describe: 'LR schedule after warmup (with --time-limit it follows the elapsed fraction of the budget)' })
    .option('warmup-iters', { type: 'number', default: 100, describe: 'Linear warmup steps (runs without --time-limit)' })
    .option('warmup-fraction', { type: 'number', default: 0.05, describe: 'Linear warmup as a fraction of the --time-limit budget' })
    .option('ema', {
      coerce: emaDecay,
      describe: `Exponential moving average of the weights for validation and the saved model: --ema [decay] (alone: ${DEFAULT_EMA_DECAY}). Off by default: with the schedule annealed to 0 it measured no better than the last weights`,
    })
    .option('ema-tau', { type: 'number', default: 150, describe: 'Steps over which the EMA decay warms up: decay × (1 − exp(−step / tau)) (ultralytics: 2000, for runs of many thousand steps)' })
    .option('patience', { type: 'number', default: 0, describe: 'Stop after N validations without a better AP (0: off)' })
    .option('clip-grad', { type: 'number', default: 10, describe: 'Clip the global gradient norm (0: off)' })
    .option('time-limit', { type: 'number', describe: 'Training budget in seconds over the whole run (resume continues it); the schedule ends at lr 0 when it runs out' })
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
    .option('json-log', { type: 'boolean', default: false, describe: 'Only JSON lines on stdout, each with a kind (info, warning, step, epoch; done last) instead of the text log on stderr' })
    .option('skip-nonfinite', { type: 'boolean', default: false, describe: 'Skip batches with a NaN/Inf loss instead of stopping' })
    .check((a) => {
      if (a.help || a.version) return true; // they print and end the run: nothing to check
      if (!a.resume && (!a['train-ann'] || !a['train-images'] || !a.out)) {
        throw new Error('--train-ann, --train-images and --out are required (or --resume RUN)');
      }
      if (a.epochs !== undefined && a.iterations !== undefined) throw new Error('give --epochs or --iterations, not both');
      if (Boolean(a['val-ann']) !== Boolean(a['val-images'])) throw new Error('--val-ann and --val-images go together');
      for (const k of ['batch-size', 'max-size', 'ema-tau'] as const) {
        if (!(Number(a[k]) > 0)) throw new Error(`--${k} must be > 0 (got ${a[k]})`);
      }
      if (a.lr !== undefined && !(a.lr > 0)) throw new Error(`--lr must be > 0 (got ${a.lr})`);
      if (a['time-limit'] !== undefined && !(a['time-limit'] > 0)) throw new Error(`--time-limit must be > 0 (got ${a['time-limit']})`);
      if (!(a['warmup-fraction'] >= 0 && a['warmup-fraction'] < 1)) throw new Error(`--warmup-fraction must be in [0, 1) (got ${a['warmup-fraction']})`);
      if (!(Number.isInteger(a.patience) && a.patience >= 0)) throw new Error(`--patience must be an integer ≥ 0 (got ${a.patience})`);
      const levels = [a['min-level'], a['max-level']];
      if (!levels.every(Number.isInteger) || a['min-level'] < 2 || a['min-level'] > 5 || a['max-level'] < a['min-level'] || a['max-level'] > 9) {
        throw new Error(`--min-level must be in 2..5 and --max-level in min-level..9 (got ${a['min-level']}, ${a['max-level']})`);
      }
      const nLevels = a['max-level'] - a['min-level'] + 1;
      if (a['anchor-sizes'] && a['anchor-sizes'].length !== nLevels) {
        throw new Error(`--anchor-sizes needs one size per level (${nLevels} levels P${a['min-level']}–P${a['max-level']}; got ${a['anchor-sizes'].length})`);
      }
      for (const k of ['anchor-sizes', 'anchor-scales', 'anchor-ratios'] as const) {
        const v = a[k] as number[] | undefined;
        if (v && (v.length === 0 || !v.every((x) => Number.isFinite(Number(x)) && Number(x) > 0))) throw new Error(`--${k} needs numbers > 0 (got ${v.join(' ')})`);
      }
      if (!(Number.isInteger(a.threads) && a.threads >= 0)) throw new Error(`--threads must be an integer ≥ 0 (got ${a.threads})`);
      if (!(a.hflip >= 0 && a.hflip <= 1)) throw new Error(`--hflip must be in [0, 1] (got ${a.hflip})`);
      checkPretrained(a);
      return true;
    })
    .example('$0 --train-ann data/raccoon/annotations/instances_train.json --train-images data/raccoon/images ' +
      '--val-ann data/raccoon/annotations/instances_val.json --val-images data/raccoon/images --out runs/raccoon',
      'Train on the bundled dataset and validate every epoch')
    .example('$0 --resume runs/raccoon', 'Continue an interrupted run')
    .example('$0 --config train.yaml --lr 0.005', 'Take options from a file, override one')
    .strict()
    .help()
    .alias('help', 'h')
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns || 110));
}

/** --pretrained and --freeze-backbone: what they need, said before any data is read. */
function checkPretrained(a: { resume?: string; pretrained?: string; 'init-from'?: string; backbone: string; norm: string; 'freeze-backbone': boolean }): void {
  if (a.resume) return;
  if (a.pretrained !== undefined) {
    if (a['init-from'] !== undefined) throw new Error('give --pretrained (backbone weights) or --init-from (a whole detector), not both');
    if (!a.backbone.startsWith('resnet')) throw new Error(`--pretrained needs --backbone resnet18, resnet34 or resnet50 (got ${a.backbone}): the weights are a Keras ResNet's`);
    if (a.norm === 'gn') throw new Error('--pretrained loads batch-norm weights and statistics: use --norm bn or frozen-bn, not gn');
  }
  if (a['freeze-backbone'] && a.pretrained === undefined && a['init-from'] === undefined) {
    throw new Error('--freeze-backbone would freeze randomly initialised weights: give --pretrained DIR or --init-from RUN/model');
  }
}

export type TrainArgs = Awaited<ReturnType<ReturnType<typeof buildParser>['parseAsync']>>;
