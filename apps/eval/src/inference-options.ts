/** Flags and checks shared by the two commands that run a trained detector (model mode and `predict`). */
import { ENGINE_ORDER } from '@retina/engine';
import type { Options } from 'yargs';

/** Test-time shorter side and longer-side cap (px). */
export const TEST_IMAGE_SIZE = 320;
export const TEST_MAX_SIZE = 512;

/** `--image-size`, `--max-size`, `--backend`, `--quiet`, shown in help `group` when given. */
export function inferenceOptions(group?: string) {
  return {
    'image-size': { type: 'number', default: TEST_IMAGE_SIZE, requiresArg: true, group, describe: 'test-time shorter side (px)' },
    'max-size': { type: 'number', default: TEST_MAX_SIZE, requiresArg: true, group, describe: 'test-time cap on the longer side (px)' },
    backend: { choices: ['auto', ...ENGINE_ORDER], default: 'auto', group, describe: 'tensor engine (auto: the fastest that loads)' },
    quiet: { type: 'boolean', default: false, group, describe: 'no progress bar' },
  } as const satisfies Record<string, Options>;
}

/** The first of `keys` whose value is not a number > 0, as an error message; undefined when all are. */
export function checkPositive<K extends string>(args: Partial<Record<K, unknown>>, keys: readonly K[]): string | undefined {
  const bad = keys.find((k) => !(Number(args[k]) > 0));
  return bad === undefined ? undefined : `--${bad} must be > 0 (got ${args[bad]})`;
}
