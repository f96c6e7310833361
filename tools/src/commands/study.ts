import { availableParallelism } from 'node:os';
import type { CommandModule } from 'yargs';
import { CocoOptionError } from '@retina/coco';
import type { CliIo } from './io';
import { runStudy } from '../study/study';
import { DEFAULT_DATASET, DEFAULT_EVAL_EVERY, DEFAULT_ITERATIONS, DEFAULT_MODEL, DEFAULT_SEEDS, DEFAULT_SHARES, STUDY_BACKENDS, type StudyBackend } from '../study/config';
import { spawnCliRunner, type CliRunner } from '../study/runner';

interface Args {
  out: string;
  iterations: number;
  seeds: number;
  shares: number[];
  'sweep-shares'?: (number | string)[];
  'budget-check'?: number[];
  only?: string;
  'eval-every': number;
  backend: StudyBackend;
  jobs: number;
  threads?: number;
  shard?: string;
  report: boolean;
  compare?: string;
  images: number;
  size: number;
}

/** "2/3" → { index: 1, count: 3 }. */
function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const [i, n] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(n >= 1 && i >= 1 && i <= n)) throw new CocoOptionError('shard', `must be i/n with 1 ≤ i ≤ n, e.g. 1/3 (got ${text})`);
  return { index: i - 1, count: n };
}

function onlyPattern(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (e) {
    throw new CocoOptionError('only', `not a regular expression: ${(e as Error).message}`);
  }
}

/** `study-loss`: CE vs α-CE vs focal loss (and a γ sweep) over seeds and rare-class shares. */
export function studyLossCommand(io: CliIo, runner: CliRunner = spawnCliRunner()): CommandModule<object, Args> {
  return {
    command: 'study-loss',
    describe: 'RetinaNet Table 1 in miniature: CE, α-CE and focal loss (+ γ sweep) over seeds, on synthetic data with a rare class',
    builder: (y) =>
      y
        .option('out', { type: 'string', default: 'runs/study-loss', describe: 'output root (data/, runs/, study.json, study.md, charts); an interrupted study continues here' })
        .option('iterations', { type: 'number', default: DEFAULT_ITERATIONS, describe: 'training steps per run' })
        .option('seeds', { type: 'number', default: DEFAULT_SEEDS, describe: 'runs per loss (seeds 0..N−1: initialisation and order)' })
        .option('shares', { type: 'array', number: true, default: [...DEFAULT_SHARES], describe: 'rare-class shares of the objects, one dataset each' })
        .option('sweep-shares', { type: 'array', describe: 'shares that also get the γ sweep {0, 0.5, 1, 2, 5} (default: the first share; "none" for none)' })
        .option('budget-check', { type: 'array', number: true, describe: 'shares on which each main loss also trains once (seed 0) at twice --iterations: would more steps change it?' })
        .option('only', { type: 'string', describe: 'run only the planned runs whose id matches this regular expression (e.g. x2$)' })
        .option('eval-every', { type: 'number', default: DEFAULT_EVAL_EVERY, describe: 'validate every N epochs during training (the convergence curves)' })
        .option('backend', { choices: STUDY_BACKENDS, default: 'wasm' as StudyBackend, describe: 'tensor engine of retina-train and retina-eval' })
        .option('jobs', { type: 'number', default: 1, describe: 'runs at once in this process' })
        .option('threads', { type: 'number', describe: "each run's retina-train --threads (default: cores ÷ jobs)" })
        .option('shard', { type: 'string', describe: 'take runs i, i+n, … of the plan only: i/n (1-based), e.g. on n machines' })
        .option('report', { type: 'boolean', default: false, describe: 'train nothing: merge the runs found under --out into the report' })
        .option('compare', { type: 'string', describe: "another study's --out folder (same design, other --iterations): the report sets each main loss beside it" })
        .option('images', { type: 'number', default: DEFAULT_DATASET.images, describe: 'synthetic images per share, training + held-out (1/3)' })
        .option('size', { type: 'number', default: DEFAULT_DATASET.size, describe: 'image side and network input (px)' })
        .example('$0 study-loss --out runs/study-loss --jobs 2', 'the whole study, two runs at a time')
        .example('$0 study-loss --out runs/study-loss --shard 2/3', 'one machine of three; then copy the runs/ folders together and run with --report'),
    handler: async (a) => {
      const sweep = a['sweep-shares'];
      const sweepShares = sweep === undefined ? [a.shares[0]] : sweep.length === 1 && sweep[0] === 'none' ? [] : sweep.map(Number);
      const jobs = a.jobs;
      const threads = a.threads ?? Math.max(1, Math.floor(availableParallelism() / Math.max(1, jobs)));
      const outcome = await runStudy(
        {
          out: a.out,
          seeds: a.seeds,
          shares: a.shares,
          sweepShares,
          budgetCheckShares: a['budget-check'] ?? [],
          iterations: a.iterations,
          evalEvery: a['eval-every'],
          backend: a.backend,
          threads,
          dataset: { ...DEFAULT_DATASET, images: a.images, size: a.size },
          model: DEFAULT_MODEL,
          ...(a.compare === undefined ? {} : { compare: a.compare }),
        },
        runner,
        io,
        { jobs, shard: a.shard === undefined ? undefined : parseShard(a.shard), reportOnly: a.report, only: a.only === undefined ? undefined : onlyPattern(a.only) },
      );
      if (!outcome.complete) io.stdout(`missing: ${outcome.missing.slice(0, 5).join(', ')}${outcome.missing.length > 5 ? ', …' : ''}\n`);
    },
  };
}
