import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { errorReport, ExitCode, UserError } from '@retina/errors';
import { evaluateCommand, type Runner } from './evaluate-command';
import { exportCommand } from './export-command';
import { processIo, type CliIo } from './io';
import { predictCommand } from './predict-command';
import { workerCommand } from './queue/worker-command';

export const SCRIPT_NAME = 'retina-eval';
const HELP_WIDTH = 100;
/** The package's version (`--version`): src/ and dist/ both sit beside package.json. */
export const VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;

/** A parsed command line: text to show (`--help`, `--version`) or a command to run. */
export type ParsedCommandLine = { readonly help: string } | { readonly runner: Runner };

/**
 * Parses `argv` (without the node and script paths) with the strict yargs parser; runs nothing.
 * @throws UserError on an unknown flag, a bad value or a missing argument
 */
export async function parseCommandLine(argv: readonly string[]): Promise<ParsedCommandLine> {
  let runner: Runner | undefined;
  let output = '';
  await yargs()
    .scriptName(SCRIPT_NAME)
    .command(evaluateCommand((r) => (runner = r)))
    .command(predictCommand((r) => (runner = r)))
    .command(exportCommand((r) => (runner = r)))
    .command(workerCommand((r) => (runner = r)))
    .strict()
    .help()
    .alias('help', 'h')
    .version(VERSION)
    .wrap(HELP_WIDTH)
    .exitProcess(false)
    .fail((message, error) => {
      throw new UserError((message || error.message).replace(/\s*\n\s*/g, ' '));
    })
    .parseAsync([...argv], {}, (_error, _args, text) => {
      output = text;
    });
  if (runner === undefined) return { help: output };
  return { runner };
}

/**
 * Runs the CLI in-process. Results on stdout, the log on stderr. Exit status (@retina/errors'
 * `errorReport`): 0 success, 2 user error (one line on stderr), 1 bug (stack trace on stderr).
 */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const parsed = await parseCommandLine(argv);
    if ('help' in parsed) {
      io.out(parsed.help);
      return ExitCode.Ok;
    }
    return await parsed.runner(io);
  } catch (e) {
    const { text, exitCode } = errorReport(SCRIPT_NAME, e);
    io.err(text);
    return exitCode;
  }
}
