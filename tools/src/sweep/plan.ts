/**
 * A sweep's runs: every combination of the grid's values over the base flags, each with an id that
 * names its grid values and ends with a hash of all its flags — so a re-submitted sweep finds the runs
 * it already has (same flags → same id → same results directory), and a changed base starts afresh.
 */
import { createHash } from 'node:crypto';
import type { FlagValue, SweepConfig } from './config';

/** One run of a sweep. */
export interface SweepRun {
  /** Directory name and job id part: `lr=0.001,batch-size=2-1a2b3c4d` (`base-…` without a grid). */
  readonly id: string;
  /** This run's grid values (the table's columns). */
  readonly values: Readonly<Record<string, FlagValue>>;
  /** retina-train's arguments, without --out. */
  readonly trainArgs: readonly string[];
  /** retina-eval's arguments, without --model and --json; undefined when the sweep has no `eval`. */
  readonly evalArgs?: readonly string[];
}

/** `{ lr: 0.001, 'anchor-sizes': [16, 32], ema: true, amp: false }` → `--lr 0.001 --anchor-sizes 16 32 --ema --no-amp`. */
export function flagArgs(flags: Readonly<Record<string, FlagValue>>): string[] {
  return Object.entries(flags).flatMap(([flag, v]) => {
    if (v === true) return [`--${flag}`];
    if (v === false) return [`--no-${flag}`];
    return [`--${flag}`, ...(Array.isArray(v) ? v.map(String) : [String(v)])];
  });
}

/** A value as it appears in a run id: lists joined with '+', characters unsafe in paths replaced. */
const slug = (v: FlagValue): string => (Array.isArray(v) ? v.join('+') : String(v)).replace(/[^A-Za-z0-9.+_-]/g, '_');

/** Every combination of `grid`'s values, the first flag varying slowest. */
function combinations(grid: Readonly<Record<string, readonly FlagValue[]>>): Record<string, FlagValue>[] {
  return Object.entries(grid).reduce<Record<string, FlagValue>[]>(
    (partial, [flag, values]) => partial.flatMap((combo) => values.map((v) => ({ ...combo, [flag]: v }))),
    [{}],
  );
}

const HASH_CHARS = 8;

/** The runs of a sweep, in grid order. */
export function planRuns(config: SweepConfig): SweepRun[] {
  return combinations(config.grid).map((values) => {
    const trainArgs = flagArgs({ ...config.base, ...values });
    const evalArgs = config.eval ? flagArgs(config.eval) : undefined;
    const hash = createHash('sha256').update(JSON.stringify({ trainArgs, evalArgs })).digest('hex').slice(0, HASH_CHARS);
    const named = Object.entries(values).map(([flag, v]) => `${flag}=${slug(v)}`).join(',');
    return { id: `${named || 'base'}-${hash}`, values, trainArgs, evalArgs };
  });
}
