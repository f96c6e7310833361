/**
 * Image paths: a `file_name` may only name a file inside the images root. Absolute paths, `..`
 * segments and symlinks that lead out of the root are refused; nothing else in the file is followed.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Why `fileName` cannot be used as a path inside the images root, or null when it can. */
export function fileNameProblem(fileName: string): string | null {
  if (fileName.includes('\0')) return 'must not contain NUL characters';
  if (isAbsolute(fileName) || /^[a-zA-Z]:/.test(fileName) || /^[\\/]/.test(fileName)) {
    return 'must be a path relative to the images root';
  }
  if (fileName.split(/[\\/]/).some((part) => part === '..')) return "must not contain '..' segments";
  return null;
}

/** The absolute path of `fileName` under `imagesRoot` (lexically; see `realPathInside` for symlinks). */
export function imagePath(imagesRoot: string, fileName: string): string {
  return join(resolve(imagesRoot), fileName);
}

/** Result of resolving one path through the file system. */
export type PathCheck = { kind: 'ok'; realPath: string } | { kind: 'missing' } | { kind: 'outside'; realPath: string };

/** Resolves symlinks of `path` and checks that the target lies inside `realRoot` (already resolved). */
export async function realPathInside(realRoot: string, path: string): Promise<PathCheck> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    if (isNotFound(err)) return { kind: 'missing' };
    throw err;
  }
  const rel = relative(realRoot, real);
  const inside = rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
  return inside ? { kind: 'ok', realPath: real } : { kind: 'outside', realPath: real };
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
