/**
 * Parses the command line, runs (or resumes) training, and turns the outcome into an exit code.
 * Streams: the log on stderr, the result (where the model went) on stdout; with --json-log, stdout
 * holds only JSON lines, the last of them `{"kind":"done",…}`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorReport, UserError } from '@retina/errors';
import { writeStdout } from '@retina/engine/node';
import { buildParser, type TrainArgs } from './cli';
import { checkpointDir, loadCheckpointState } from './checkpoint';
import { runConfigFromArgs, sessionFromArgs } from './run-config';
import { trainRun, type RunResult, type StopReason } from './train-run';

const PROGRAM = 'retina-train';

/** The run's outcome as the last JSON line of --json-log. */
export interface DoneRecord {
  kind: 'done';
  reason: StopReason;
  iterations: number;
  /** Best validation AP; absent without a validation set. */
  bestAp?: number;
  model: string;
  checkpoints: string;
  metrics: string;
  results: string;
  plots: string;
}

function doneRecord(result: RunResult): DoneRecord {
  const out = result.runDir;
  return {
    kind: 'done',
    reason: result.reason,
    iterations: result.state.iteration,
    ...(result.state.bestAp >= 0 ? { bestAp: result.state.bestAp } : {}),
    model: join(out, 'model'),
    checkpoints: join(out, 'checkpoints'),
    metrics: join(out, 'metrics.jsonl'),
    results: join(out, 'results.csv'),
    plots: join(out, 'plots'),
  };
}

function doneText(d: DoneRecord): string {
  return (
    `done (${d.reason}): ${d.iterations} iterations${d.bestAp !== undefined ? `, best AP ${d.bestAp.toFixed(4)}` : ''}\n` +
    `  model: ${d.model}\n  checkpoints: ${d.checkpoints}\n  metrics: ${d.metrics}, ${d.results}\n  plots: ${d.plots}\n`
  );
}

function fail(e: unknown): number {
  const { text, exitCode } = errorReport(PROGRAM, e);
  process.stderr.write(`${text}\n`);
  return exitCode;
}

export async function run(argv: string[]): Promise<number> {
  let args: TrainArgs;
  try {
    const parser = buildParser(argv).exitProcess(false).fail((msg, err) => {
      throw err ?? new UserError(msg);
    });
    args = await parser.parseAsync();
  } catch (e) {
    // every parse failure (yargs' messages, our checks) is the user's
    return fail(e instanceof UserError ? e : new UserError((e as Error).message));
  }
  // yargs has printed the help or the version (on stdout)
  if (args.help || args.version) return 0;
  const signal: { stop: StopReason | undefined } = { stop: undefined };
  const onSignal = (name: string) => () => {
    if (signal.stop) process.exit(130);
    signal.stop = 'interrupted';
    process.stderr.write(`\n${PROGRAM}: ${name}: saving a checkpoint, then stopping (again to abort)\n`);
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
    const session = sessionFromArgs(args);
    const result = await trainRun(config, session, resume, signal);
    const done = doneRecord(result);
    if (session.jsonLog) writeStdout(JSON.stringify(done) + '\n');
    if (result.reason === 'interrupted') {
      process.stderr.write(`${PROGRAM}: stopped at iteration ${result.state.iteration}; continue with --resume ${result.runDir}\n`);
      return 130;
    }
    if (!session.jsonLog) writeStdout(doneText(done));
    return 0;
  } catch (e) {
    return fail(e);
  } finally {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}
