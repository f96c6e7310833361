/** retina-train in a child process, as users run it (through tsx: no build needed), for the specs. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../../../..');
const MAIN = join(__dirname, '..', 'main.ts');
const RACCOON = join(ROOT, 'data/raccoon');

export const retinaTrain = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });

/** Steps of a small detector on the first bundled photos (two per batch, 128 px), no validation set. */
export const tinyRun = (out: string, extra: string[] = []): string[] => [
  '--train-ann', join(RACCOON, 'annotations/instances_train.json'),
  '--train-images', join(RACCOON, 'images'),
  '--out', out,
  '--max-images', '2', '--batch-size', '2', '--iterations', '2', '--warmup-iters', '1',
  '--width', '8', '--fpn-channels', '16', '--head-channels', '16', '--head-convs', '1', '--image-size', '128', '--max-size', '128',
  '--backend', 'wasm', '--threads', '1',
  ...extra,
];

/**
 * The error lines of a failed run's stderr, which the log (engine, data) may precede: the lines from
 * the first `retina-train:` one on — exactly one line when the error is reported as it should be.
 */
export const errorLines = (stderr: string): string[] => {
  const lines = stderr.trimEnd().split('\n');
  return lines.slice(Math.max(0, lines.findIndex((l) => l.startsWith('retina-train:'))));
};
