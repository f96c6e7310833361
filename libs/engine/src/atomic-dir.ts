/**
 * Atomic replacement of a directory (models, checkpoints). The content is written completely into a
 * staging directory beside its target (same filesystem), every file and the directory fsynced, then
 * swapped in by renames:
 *   target → target.old-<pid>-<id>;  staging → target;  fsync(parent);  remove the old copy
 * Guarantee, for one writer per target: once a first copy is complete, a complete copy (old or new)
 * always exists, also under kill -9, power loss after the fsyncs, or a failing write (full disk):
 * - a failure or crash before the first rename leaves the previous `target` untouched; a failure
 *   removes its staging directory, a crash leaves it for `removeStaleStaging`;
 * - a crash between the two renames leaves no `target` but `target.old-…`, which `resolveAtomicDir`
 *   (used by every loader here) returns; the next successful write removes it.
 * Plain readers that open `target` directly (e.g. stock tfjs) may see it missing in that window.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const STAGING = '.staging-';
const OLD = '.old-';
/** The writer's process id in a staging directory's name. */
const STAGING_PID = /\.staging-(\d+)-/;

const suffix = (): string => `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Sibling entries of `target` named `<target>.old-…` (copies left by a crash mid-swap). */
function oldCopies(target: string): string[] {
  const parent = dirname(target);
  if (!existsSync(parent)) return [];
  const prefix = `${basename(target)}${OLD}`;
  return readdirSync(parent)
    .filter((n) => n.startsWith(prefix))
    .map((n) => join(parent, n));
}

/** Writes `target` by calling `write(stagingDir)` and swapping the result in atomically (see the module doc). */
export async function writeDirAtomically(target: string, write: (staging: string) => Promise<void>): Promise<void> {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `${basename(target)}${STAGING}${suffix()}`);
  mkdirSync(staging);
  try {
    await write(staging);
    fsyncDir(staging);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const stale = oldCopies(target);
  const old = join(parent, `${basename(target)}${OLD}${suffix()}`);
  const hadTarget = existsSync(target);
  if (hadTarget) renameSync(target, old);
  renameSync(staging, target);
  fsyncDir(parent);
  for (const dir of hadTarget ? [old, ...stale] : stale) rmSync(dir, { recursive: true, force: true });
}

/**
 * The directory holding the latest complete copy of `target`: `target` itself, or the newest
 * `.old-` copy left by a crash between the two renames; undefined when neither exists.
 */
export function resolveAtomicDir(target: string): string | undefined {
  if (existsSync(target)) return target;
  const olds = oldCopies(target).map((dir) => ({ dir, t: statSync(dir).mtimeMs }));
  olds.sort((a, b) => b.t - a.t);
  return olds[0]?.dir;
}

/** Whether a process with this id runs (EPERM: it exists under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the staging directories in `parent` left by writers that crashed (their process is gone);
 * those of live processes are writes in progress and stay. A staging directory is never a complete copy.
 */
export function removeStaleStaging(parent: string): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    const pid = STAGING_PID.exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) rmSync(join(parent, name), { recursive: true, force: true });
  }
}
