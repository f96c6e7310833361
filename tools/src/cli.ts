/**
 * Dataset tools: `node --import tsx tools/src/cli.ts <command>` (generate, convert-voc,
 * convert-csv, validate, shrink, anchors, study-loss). Exit codes: 0 success, 2 user error (one line on stderr), 1 bug.
 */
import yargs from 'yargs';
import { CocoError, USER_ERROR_EXIT_CODE } from '@retina/coco';
import { writeStdout } from '@retina/engine';
import { anchorsCommand } from './commands/anchors';
import { convertCsvCommand, convertVocCommand } from './commands/convert';
import { generateCommand } from './commands/generate';
import type { CliIo } from './commands/io';
import { shrinkCommand } from './commands/shrink';
import { studyLossCommand } from './commands/study';
import { validateCommand } from './commands/validate';

/** A bad command line (unknown flag, missing option), reported like every other user error. */
export class UsageError extends CocoError {}

/** Runs one command; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parser = yargs([...argv])
    .scriptName('retina-tools')
    .command(generateCommand(io))
    .command(convertVocCommand(io))
    .command(convertCsvCommand(io))
    .command(validateCommand(io))
    .command(shrinkCommand(io))
    .command(studyLossCommand(io))
    .command(anchorsCommand(io))
    .demandCommand(1, 'name a command')
    .strict()
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new UsageError(`${message} (see --help)`);
    })
    .help();
  try {
    await parser.parseAsync();
    return 0;
  } catch (err) {
    if (err instanceof CocoError) {
      io.stderr(`error: ${err.message}\n`);
      return USER_ERROR_EXIT_CODE;
    }
    io.stderr(`internal error (please report): ${(err as Error).stack ?? err}\n`);
    return 1;
  }
}

if (require.main === module) {
  const io: CliIo = { stdout: (t) => writeStdout(t), stderr: (t) => process.stderr.write(t) };
  runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
