import type { CliIo } from '../io';

/** A CliIo that keeps every line written, for tests. */
export interface Captured extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
}

export function capture(): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}
