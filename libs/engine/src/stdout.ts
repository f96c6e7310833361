/**
 * Standard output for CLIs whose real products are files. When the reader of stdout goes away
 * (`retina-eval … | head -3`, a killed `tee`), Node reports EPIPE as an error event and, unhandled, a
 * crash with a stack trace — in the middle of a training run or before the --json file is written.
 * Here output is dropped from then on and the run goes on to its end and its own exit status.
 */
let closed = false;
let watching = false;

function watch(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    closed = true;
  });
}

/** Writes `text` to stdout, or nothing once the reader has gone. */
export function writeStdout(text: string): void {
  watch();
  if (!closed) process.stdout.write(text);
}
