/** What both evaluation modes (`--gt/--dt` and `--model`) print and write once the numbers are in. */
import { evalJson, perClassTable, summaryLines, type BboxEvaluation, type TableOrder } from '@retina/coco-eval';
import { writeOutputFile } from './fs-utils';
import type { CliIo } from './io';

/** `--json -`: the JSON goes to stdout (and the text summary to stderr, so that stdout stays JSON). */
export const STDOUT = '-';

/**
 * Prints the standard 12-line summary and the per-class table (stdout), and writes `{stats, perClass}`
 * to `json`: a file (atomically), or stdout for `-`, the text then going to stderr.
 */
export async function reportEvaluation(result: BboxEvaluation, opts: { json?: string; sort: TableOrder }, io: CliIo): Promise<void> {
  const jsonToStdout = opts.json === STDOUT;
  const print = (line: string) => (jsonToStdout ? io.err(line) : io.out(line));
  summaryLines(result.stats, result.params).forEach(print);
  print('');
  perClassTable(result, opts.sort).forEach(print);
  if (opts.json === undefined) return;
  const text = JSON.stringify(evalJson(result), null, 2);
  if (jsonToStdout) {
    io.out(text);
  } else {
    await writeOutputFile(opts.json, `${text}\n`);
    io.err(`retina-eval: wrote ${opts.json}`);
  }
}
