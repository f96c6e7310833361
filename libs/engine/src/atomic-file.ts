import { rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes `data` to `path` through a temporary file in the same folder and a rename, so that a reader
 * (or a crash) never leaves half a file where the old one was. Rejects with the file system's error
 * (the temporary file removed); callers turn it into their own user-facing error.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
