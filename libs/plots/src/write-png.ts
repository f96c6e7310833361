import { rename, unlink, writeFile } from 'node:fs/promises';

/** Writes PNG bytes through a temp file + rename (a reader never sees half a file); returns `path`. */
export async function writePngAtomic(path: string, png: Uint8Array): Promise<string> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, png);
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  return path;
}
