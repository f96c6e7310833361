import { writeFileAtomic as writeAtomic } from '@retina/engine/node';
import { UserError } from '@retina/errors';

/**
 * Writes `data` to `path` through a temporary file in the same directory and a rename, so that a
 * reader never sees a half-written file.
 * @throws UserError when the file cannot be written (missing directory, permissions)
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UserError(`${path}: cannot write the file (${code}: ${(e as Error).message})`);
    throw e;
  }
}
