/** Flags and checks shared by the two commands that run a trained detector (model mode and `predict`). */
import { ENGINE_ORDER } from '@retina/engine/node';
import type { RetinaNetConfig } from '@retina/retinanet';
import type { Options } from 'yargs';

/** `--image-size`, `--max-size`, `--backend`, `--quiet`, shown in help `group` when given. */
export function inferenceOptions(group?: string) {
  return {
    'image-size': { type: 'number', requiresArg: true, group, describe: "test-time shorter side (px; default: the model's, saved by retina-train, else 320)" },
    'max-size': { type: 'number', requiresArg: true, group, describe: "test-time cap on the longer side (px; default: the model's, else 512)" },
    backend: { choices: ['auto', ...ENGINE_ORDER], default: 'auto', group, describe: 'tensor engine (auto: the fastest that loads)' },
    quiet: { type: 'boolean', default: false, group, describe: 'no progress bar' },
  } as const satisfies Record<string, Options>;
}

/** The first of `keys` given with a value that is not a number > 0, as an error message; undefined when none is. */
export function checkPositive<K extends string>(args: Partial<Record<K, unknown>>, keys: readonly K[]): string | undefined {
  const bad = keys.find((k) => args[k] !== undefined && !(Number(args[k]) > 0));
  return bad === undefined ? undefined : `--${bad} must be > 0 (got ${args[bad]})`;
}

/** A test size and a line saying where it came from. */
export interface TestSize {
  shortSide: number;
  maxSize: number;
  describe: string;
}

/** The test size: the flags where given, else the size saved with the model (a loaded one, or its saved config alone). */
export function testSize(args: { 'image-size'?: number; 'max-size'?: number }, model: { config: Pick<RetinaNetConfig, 'testSize'> }): TestSize {
  const shortSide = args['image-size'] ?? model.config.testSize.shortSide;
  const maxSize = args['max-size'] ?? model.config.testSize.maxSize;
  const given = [args['image-size'], args['max-size']].filter((v) => v !== undefined).length;
  const from = given === 2 ? 'as given' : given === 1 ? 'one given, one saved with the model' : 'saved with the model';
  return { shortSide, maxSize, describe: `test size: shorter side ${shortSide} px, longer side at most ${maxSize} px (${from})` };
}
