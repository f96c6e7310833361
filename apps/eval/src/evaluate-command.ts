import type { Argv, CommandModule } from 'yargs';
import { UserError } from '@retina/errors';
import type { CliIo } from './io';
import { checkModelArgs, isModelMode, modelExamples, modelOptions, runModel, type ModelArgs } from './model-mode';
import { runModelSharded } from './queue/sharded';
import { checkScoreArgs, isScoreMode, runScore, scoreExamples, scoreOptions, type ScoreArgs } from './score';

/** A parsed command line, ready to run; resolves to the exit status. */
export type Runner = (io: CliIo) => Promise<number>;

/**
 * The default command: evaluation. Each mode (scoring `--gt/--dt`; later `--model`) brings its
 * flags, examples, a check and a runner; exactly one mode must be selected.
 */
export function evaluateCommand(select: (runner: Runner) => void): CommandModule<object, ScoreArgs & ModelArgs> {
  return {
    command: '$0',
    describe: 'Score COCO detection results against ground truth, or run a trained model on COCO images and score it',
    builder: (y: Argv): Argv<ScoreArgs & ModelArgs> =>
      evaluateExamples.reduce((argv, [cmd, desc]) => argv.example(cmd, desc), y.options(scoreOptions).options(modelOptions)) as Argv<ScoreArgs & ModelArgs>,
    // Mode checks live here rather than in yargs' `check`, which would also run for --help.
    handler: (args) => {
      if (isModelMode(args)) {
        if (args.gt !== undefined || args.dt !== undefined) throw new UserError('give either --model (run a model) or --gt/--dt (score results), not both');
        const problem = checkModelArgs(args);
        if (problem !== undefined) throw new UserError(problem);
        select((io) => (args.queue === undefined ? runModel(args, io) : runModelSharded(args, io)));
        return;
      }
      if (!isScoreMode(args)) throw new UserError('nothing to do: give --gt GT.json --dt DT.json, or --model RUN/model --ann ANN.json --images DIR (see --help)');
      const problem = checkScoreArgs(args);
      if (problem !== undefined) throw new UserError(problem);
      select((io) => runScore(args, io));
    },
  };
}

/** Every example command line of the command (for `--help` and for tests). */
export const evaluateExamples: readonly [string, string][] = [...scoreExamples, ...modelExamples];
