import type { Argv, CommandModule } from 'yargs';
import type { Runner } from './evaluate-command';
import { UserError } from '@retina/errors';
import { checkPredictArgs, predictExamples, predictOptions, runPredict, type PredictArgs } from './predict';

/** `retina-eval predict --model RUN/model IMAGES...`: detections of image files, as JSON and drawn. */
export function predictCommand(select: (runner: Runner) => void): CommandModule<object, PredictArgs> {
  return {
    command: 'predict <images..>',
    describe: 'Run a trained model on image files or folders: detections as JSON (boxes xyxy, original pixels), optionally drawn',
    builder: (y: Argv): Argv<PredictArgs> =>
      predictExamples.reduce(
        (argv, [cmd, desc]) => argv.example(cmd, desc),
        y.positional('images', { type: 'string', array: true, demandOption: true, describe: 'image files, or folders of .jpg/.jpeg/.png/.webp files' }).options(predictOptions),
      ) as Argv<PredictArgs>,
    handler: (args) => {
      const problem = checkPredictArgs(args);
      if (problem !== undefined) throw new UserError(problem);
      select((io) => runPredict(args, io));
    },
  };
}
