import yargs from 'yargs';
import { evaluateCommand, type Runner } from './evaluate-command';
import { ExitCode, isUserError, UserError } from './errors';
import { processIo, type CliIo } from './io';
import { predictCommand } from './predict-command';

export const SCRIPT_NAME = 'retina-eval';
const HELP_WIDTH = 100;

/** A parsed command line: text to show (`--help`) or a command to run. */
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
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
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
 * Runs the CLI in-process. Exit status: 0 success, 2 user error (one line on stderr),
 * 1 bug (stack trace on stderr).
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
    if (isUserError(e)) {
      io.err(`${SCRIPT_NAME}: ${e.message}`);
      return ExitCode.UserError;
    }
    io.err(`${SCRIPT_NAME}: internal error, please report it:\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return ExitCode.Bug;
  }
}
