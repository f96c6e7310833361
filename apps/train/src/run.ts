/** Parses the command line, runs (or resumes) training, and turns the outcome into an exit code. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeStdout } from '@retina/engine';
import { buildParser, type TrainArgs } from './cli';
import { checkpointDir, loadCheckpointState } from './checkpoint';
import { isUserError, UserError } from './errors';
import { runConfigFromArgs, sessionFromArgs } from './run-config';
import { trainRun, type StopReason } from './train-run';

export async function run(argv: string[]): Promise<number> {
  let args: TrainArgs;
  try {
    const parser = buildParser(argv).fail((msg, err) => {
      throw err ?? new UserError(msg);
    });
    args = await parser.parseAsync();
  } catch (e) {
    process.stderr.write(`retina-train: ${(e as Error).message}\n`);
    return 2;
  }
  const signal: { stop: StopReason | undefined } = { stop: undefined };
  const onSignal = (name: string) => () => {
    if (signal.stop) process.exit(130);
    signal.stop = 'interrupted';
    process.stderr.write(`\nretina-train: ${name}: saving a checkpoint, then stopping (again to abort)\n`);
  };
  const sigint = onSignal('SIGINT');
  const sigterm = onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  try {
    const resume = args.resume !== undefined;
    const config = resume ? loadCheckpointState(args.resume as string).config : runConfigFromArgs(args);
    if (!resume && existsSync(checkpointDir(config.out, 'last'))) {
      throw new UserError(`--out ${config.out}: already holds a run (continue it with --resume ${config.out}, or pick another --out)`);
    }
    const result = await trainRun(config, sessionFromArgs(args), resume, signal);
    const out = result.runDir;
    const where = [
      `model: ${join(out, 'model')}`,
      `checkpoints: ${join(out, 'checkpoints')}`,
      `metrics: ${join(out, 'metrics.jsonl')}, ${join(out, 'results.csv')}`,
      `plots: ${join(out, 'plots')}`,
    ];
    if (result.reason === 'interrupted') {
      process.stderr.write(`retina-train: stopped at iteration ${result.state.iteration}; continue with --resume ${out}\n`);
      return 130;
    }
    writeStdout(
      `done (${result.reason}): ${result.state.iteration} iterations${result.state.bestAp >= 0 ? `, best AP ${result.state.bestAp.toFixed(4)}` : ''}\n` +
        where.map((w) => `  ${w}`).join('\n') + '\n',
    );
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`retina-train: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`retina-train: internal error (please report):\n${(e as Error).stack ?? e}\n`);
    return 1;
  } finally {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}
