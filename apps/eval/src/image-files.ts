import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { UserError } from '@retina/errors';

/** File extensions taken from a folder (case-insensitive); a file named directly may have any. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp'];

const isImageName = (name: string): boolean => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());

async function folderImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`${dir}: cannot list the folder (${e.code}: ${e.message})`);
  });
  const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && isImageName(e.name)).map((e) => e.name);
  if (names.length === 0) throw new UserError(`${dir}: no images in this folder (looked for ${IMAGE_EXTENSIONS.join(', ')}; sub-folders are not searched)`);
  return names.sort().map((n) => join(dir, n));
}

/**
 * The image files named by `paths`: files as given, folders by their images (not recursive, sorted
 * by name). Each file once, in the order given.
 * @throws UserError for a path that does not exist or a folder without images
 */
export async function listImageFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`${path}: ${e.code === 'ENOENT' ? 'no such file or folder' : `cannot read (${e.code}: ${e.message})`}`);
    });
    for (const file of info.isDirectory() ? await folderImages(path) : [path]) {
      const key = resolve(file);
      if (!seen.has(key)) files.push(file);
      seen.add(key);
    }
  }
  return files;
}
