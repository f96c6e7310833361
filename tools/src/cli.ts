/**
 * Dataset tools: `npx retina-tools <command>` (generate, convert-voc, convert-csv, validate, shrink,
 * anchors, study-loss, sweep, worker); from the sources `node --import tsx tools/src/cli.ts <command>`.
 * Results on stdout, warnings and progress on stderr. Exit codes (@retina/errors' `errorReport`): 0 success,
 * 2 user error (one line on stderr, `error: …`), 1 bug.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type CommandModule } from 'yargs';
import { errorReport, UserError } from '@retina/errors';
import { writeStdout } from '@retina/engine/node';
import { anchorsCommand } from './commands/anchors';
import { convertCsvCommand, convertVocCommand } from './commands/convert';
import { generateCommand } from './commands/generate';
import type { CliIo } from './commands/io';
import { shrinkCommand } from './commands/shrink';
import { studyLossCommand } from './commands/study';
import { sweepCommand, trainWorkerCommand } from './commands/sweep';
import { validateCommand } from './commands/validate';

/** The package's version (`--version`): src/ and dist/ both sit beside package.json. */
export const VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;

/** Flags that print text (help, version) instead of running a command. */
const HELP_FLAGS = ['--help', '-h', '--version'];

/** What starts a user error's line on stderr. */
const ERROR_PREFIX = 'error';

/** A bad command line (unknown flag, missing option), reported like every other user error. */
export class UsageError extends UserError {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commands take different argument types
type AnyCommand = CommandModule<object, any>;

/** The commands of retina-tools, printing through `io`. */
export function toolCommands(io: CliIo): AnyCommand[] {
  return [
    generateCommand(io),
    convertVocCommand(io),
    convertCsvCommand(io),
    validateCommand(io),
    shrinkCommand(io),
    studyLossCommand(io),
    anchorsCommand(io),
    sweepCommand(io),
    trainWorkerCommand(io),
  ];
}

/** Runs one command; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, commands: AnyCommand[] = toolCommands(io)): Promise<number> {
  const parser = commands
    .reduce((y, c) => y.command(c), yargs([...argv]).scriptName('retina-tools'))
    .demandCommand(1, 'name a command')
    .strict()
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new UsageError(`${message} (see --help)`);
    })
    .help()
    .alias('help', 'h')
    .version(VERSION);
  try {
    if (argv.some((a) => HELP_FLAGS.includes(a))) {
      // with a callback, yargs hands the help (or version) text to it instead of printing it; no command runs
      let output = '';
      await parser.parseAsync([...argv], {}, (_err, _args, text) => {
        output = text;
      });
      io.stdout(`${output}\n`);
    } else {
      await parser.parseAsync();
    }
    return 0;
  } catch (err) {
    const { text, exitCode } = errorReport(ERROR_PREFIX, err);
    io.stderr(`${text}\n`);
    return exitCode;
  }
}

/** The `retina-tools` program: the process's arguments and streams, its exit code. */
export function main(): void {
  const io: CliIo = { stdout: (t) => writeStdout(t), stderr: (t) => process.stderr.write(t) };
  void runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
