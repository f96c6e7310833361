import type { CommandModule } from 'yargs';
import type { CliIo } from './io';
import { runStudy } from '../study';
import { DEFAULT_DATASET, DEFAULT_ITERATIONS, DEFAULT_MODEL, STUDY_BACKENDS, type StudyBackend } from '../study-config';
import { spawnCliRunner, type CliRunner } from '../study-runner';

interface Args {
  out: string;
  iterations?: number;
  'time-limit'?: number;
  seed: number;
  backend: StudyBackend;
  images: number;
  size: number;
  'rare-class-fraction': number;
}

/** `study-loss`: CE vs α-balanced CE vs focal loss on a synthetic dataset with a rare class. */
export function studyLossCommand(io: CliIo, runner: CliRunner = spawnCliRunner()): CommandModule<object, Args> {
  return {
    command: 'study-loss',
    describe: 'Train and score CE, α-balanced CE and focal loss at equal budget on synthetic data with a rare class',
    builder: (y) =>
      y
        .option('out', { type: 'string', default: 'runs/study-loss', describe: 'output root (data/, runs/<loss>/, study.json, study.md, study.png)' })
        .option('iterations', { type: 'number', describe: `training steps per run (default ${DEFAULT_ITERATIONS})` })
        .option('time-limit', { type: 'number', describe: 'training seconds per run instead: a short calibration run turns it into --iterations' })
        .conflicts('iterations', 'time-limit')
        .option('seed', { type: 'number', default: 0, describe: 'seeds the dataset and every run' })
        .option('backend', { choices: STUDY_BACKENDS, default: 'wasm' as StudyBackend, describe: 'tensor engine of retina-train and retina-eval' })
        .option('images', { type: 'number', default: DEFAULT_DATASET.images, describe: 'synthetic images, training + held-out (1/3)' })
        .option('size', { type: 'number', default: DEFAULT_DATASET.size, describe: 'image side and network input (px)' })
        .option('rare-class-fraction', { type: 'number', default: DEFAULT_DATASET.rareClassFraction, describe: 'fraction of objects in the rare class' })
        .example('$0 study-loss --out runs/study-loss --iterations 800 --seed 0 --backend wasm', '')
        .example('$0 study-loss --time-limit 240', ''),
    handler: async (a) => {
      await runStudy(
        {
          out: a.out,
          seed: a.seed,
          backend: a.backend,
          budget: a['time-limit'] !== undefined ? { timeLimit: a['time-limit'] } : { iterations: a.iterations ?? DEFAULT_ITERATIONS },
          dataset: { ...DEFAULT_DATASET, images: a.images, size: a.size, rareClassFraction: a['rare-class-fraction'] },
          model: DEFAULT_MODEL,
        },
        runner,
        io,
      );
    },
  };
}
