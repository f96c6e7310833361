/**
 * A finished run on the shared path — `<out>/runs/<id>/`: metrics.jsonl, model/, eval.json (with an
 * `eval` section), train.log, and result.json, which appears last with the whole directory (a rename),
 * so that its presence means the run is complete — and the sweep table built from them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlagValue } from './config';
import type { SweepRun } from './plan';

export const RESULT_FILE = 'result.json';

/** The numbers of a run the table shows. */
export interface FinalMetrics {
  /** Training steps done and the loss of the last one. */
  readonly iterations: number | null;
  readonly loss: number | null;
  /** COCO AP, AP50, AP75: from eval.json when the sweep evaluates, else from the last validation in metrics.jsonl. */
  readonly ap: number | null;
  readonly ap50: number | null;
  readonly ap75: number | null;
  /** Where the AP numbers come from: 'eval.json', 'validation' or null. */
  readonly apSource: 'eval.json' | 'validation' | null;
}

/** result.json. */
export interface RunResult {
  readonly id: string;
  readonly values: Readonly<Record<string, FlagValue>>;
  readonly trainArgs: readonly string[];
  readonly metrics: FinalMetrics;
  readonly worker: string;
  readonly seconds: number;
}

interface MetricsRecord {
  kind?: string;
  iteration?: number;
  loss?: number;
  stats?: number[];
}

/** The final numbers of a run directory (metrics.jsonl and, if there, eval.json). */
export function finalMetrics(runDir: string): FinalMetrics {
  const path = join(runDir, 'metrics.jsonl');
  const records: MetricsRecord[] = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as MetricsRecord)
    : [];
  const lastStep = records.filter((r) => r.kind === 'step').pop();
  const lastValidation = records.filter((r) => Array.isArray(r.stats)).pop();
  const evalPath = join(runDir, 'eval.json');
  const evalStats = existsSync(evalPath) ? (JSON.parse(readFileSync(evalPath, 'utf8')) as { stats?: number[] }).stats : undefined;
  const stats = evalStats ?? lastValidation?.stats;
  return {
    iterations: lastStep?.iteration ?? null,
    loss: lastStep?.loss ?? null,
    ap: stats?.[0] ?? null,
    ap50: stats?.[1] ?? null,
    ap75: stats?.[2] ?? null,
    apSource: evalStats ? 'eval.json' : lastValidation ? 'validation' : null,
  };
}

/** `<out>/runs/<id>`. */
export const runDirectory = (out: string, id: string): string => join(out, 'runs', id);

/** The run's result.json, or undefined when the run is not complete there. */
export function readRunResult(out: string, id: string): RunResult | undefined {
  const path = join(runDirectory(out, id), RESULT_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunResult) : undefined;
}

/** One table row per run: its grid values, then its final numbers (or why it has none). */
export interface SweepRow {
  readonly id: string;
  readonly values: Readonly<Record<string, FlagValue>>;
  readonly result?: RunResult;
  /** Why the run has no result (a user error its worker reported). */
  readonly error?: string;
}

const NUMBER_COLUMNS = ['iterations', 'loss', 'AP', 'AP50', 'AP75', 'seconds'] as const;

function cells(row: SweepRow, flags: readonly string[]): string[] {
  const grid = flags.map((f) => {
    const v = row.values[f];
    return Array.isArray(v) ? v.join(' ') : String(v);
  });
  const r = row.result;
  if (!r) return [row.id, ...grid, ...NUMBER_COLUMNS.map(() => '-'), row.error ?? 'missing'];
  const m = r.metrics;
  const fixed = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));
  return [row.id, ...grid, String(m.iterations ?? '-'), fixed(m.loss, 4), fixed(m.ap, 3), fixed(m.ap50, 3), fixed(m.ap75, 3), r.seconds.toFixed(0), `ok (${r.worker})`];
}

/** The sweep table as markdown (one row per run, in plan order). */
export function sweepMarkdown(rows: readonly SweepRow[], flags: readonly string[]): string {
  const header = ['run', ...flags, ...NUMBER_COLUMNS, 'status'];
  const lines = [header, header.map(() => '---'), ...rows.map((r) => cells(r, flags))];
  return `${lines.map((l) => `| ${l.join(' | ')} |`).join('\n')}\n`;
}

/** The runs of `plan` as table rows: results found under `out`, errors from this submission. */
export function sweepRows(plan: readonly SweepRun[], out: string, errors: ReadonlyMap<string, string>): SweepRow[] {
  return plan.map((run) => ({ id: run.id, values: run.values, result: readRunResult(out, run.id), error: errors.get(run.id) }));
}
