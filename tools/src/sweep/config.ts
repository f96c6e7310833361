/**
 * A sweep's configuration (YAML or JSON): retina-train flags shared by every run (`base`), a grid of
 * values (one run per combination), and optionally a final `retina-eval --model` of each run.
 *
 * ```yaml
 * name: lr-batch            # optional; default: the file's name
 * base:                     # retina-train flags of every run (not --out / --resume: the worker sets them)
 *   train-ann: /shared/data/train.json
 *   train-images: /shared/data/images
 *   iterations: 300
 *   anchor-sizes: [16, 32, 64]
 * grid:                     # flag → its values; the first flag varies slowest
 *   lr: [0.001, 0.0005]
 *   batch-size: [2, 4]
 * eval:                     # optional: retina-eval --model RUN/model --ann … --images … --json eval.json
 *   ann: /shared/data/val.json
 *   images: /shared/data/images
 * ```
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '@retina/errors';

/** A sweep file that cannot be used; the message names the file and the key. */
export class SweepConfigError extends UserError {}

/** A flag's value: `--flag value`, `--flag v1 v2 …` for a list, `--flag` / `--no-flag` for a boolean. */
export type FlagValue = string | number | boolean | readonly (string | number)[];

export interface SweepConfig {
  readonly name: string;
  readonly base: Readonly<Record<string, FlagValue>>;
  /** Flag → values, in the file's order. */
  readonly grid: Readonly<Record<string, readonly FlagValue[]>>;
  /** retina-eval flags of the final evaluation (`ann` and `images` at least), or undefined for none. */
  readonly eval?: Readonly<Record<string, FlagValue>>;
}

/** Flags a sweep may not set: the worker gives each run its own directory. */
const RESERVED = ['out', 'resume'];
const FLAG_NAME = /^[a-z][a-z0-9-]*$/;

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function flagValue(v: unknown, where: string): FlagValue {
  if (isScalar(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))) return v as (string | number)[];
  throw new SweepConfigError(`${where}: must be a number, a string, true/false or a non-empty list of numbers or strings (got ${JSON.stringify(v)})`);
}

function flagTable<T>(raw: unknown, where: string, value: (v: unknown, where: string) => T): Record<string, T> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SweepConfigError(`${where}: must be a mapping of flag names to values`);
  const out: Record<string, T> = {};
  for (const [key, v] of Object.entries(raw)) {
    const flag = key.replace(/^--/, '');
    if (!FLAG_NAME.test(flag)) throw new SweepConfigError(`${where}.${key}: not a flag name (lower case, digits and dashes, e.g. batch-size)`);
    if (RESERVED.includes(flag)) throw new SweepConfigError(`${where}.${key}: set by the worker (each run gets its own directory); leave it out`);
    out[flag] = value(v, `${where}.${key}`);
  }
  return out;
}

/**
 * Checks a parsed sweep document.
 * @param file the file's path, for messages and the default name
 * @throws SweepConfigError naming the key that is wrong
 */
export function sweepConfig(doc: unknown, file: string): SweepConfig {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new SweepConfigError(`${file}: must be a mapping with base, grid (and optionally name, eval)`);
  const d = doc as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !['name', 'base', 'grid', 'eval'].includes(k));
  if (unknown.length) throw new SweepConfigError(`${file}: unknown key '${unknown[0]}' (known: name, base, grid, eval)`);
  const name = d.name === undefined ? basename(file, extname(file)) : String(d.name);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new SweepConfigError(`${file}: name: letters, digits, '.', '_' and '-' only (got '${name}')`);
  const base = flagTable(d.base, `${file}: base`, flagValue);
  const grid = flagTable(d.grid, `${file}: grid`, (v, where) => {
    if (!Array.isArray(v) || v.length === 0) throw new SweepConfigError(`${where}: must be a non-empty list of values`);
    return v.map((x, i) => flagValue(x, `${where}[${i}]`));
  });
  for (const flag of Object.keys(grid)) if (flag in base) throw new SweepConfigError(`${file}: grid.${flag}: also in base; give it in one place`);
  let evalFlags: Record<string, FlagValue> | undefined;
  if (d.eval !== undefined && d.eval !== null) {
    evalFlags = flagTable(d.eval, `${file}: eval`, flagValue);
    for (const required of ['ann', 'images']) if (!(required in evalFlags)) throw new SweepConfigError(`${file}: eval.${required}: required (the split to score each run's model on)`);
    for (const own of ['model', 'json', 'queue']) if (own in evalFlags) throw new SweepConfigError(`${file}: eval.${own}: set by the worker; leave it out`);
  }
  return { name, base, grid, eval: evalFlags };
}

/**
 * Reads a sweep file (`.json` as JSON, anything else as YAML).
 * @throws SweepConfigError when it cannot be read or parsed, or is not a sweep
 */
export function readSweepConfig(file: string): SweepConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SweepConfigError(`${file}: cannot read the sweep file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SweepConfigError(`${file}: not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return sweepConfig(doc, file);
}
