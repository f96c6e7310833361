import { writeStdout } from '@retina/engine/node';

/** Where the CLI writes: results to `out`, diagnostics and errors to `err` (one line per call). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => writeStdout(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
