/** retina-eval's output files and folders: a file system error becomes a UserError naming the path (exit 2, one line). */
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '@retina/engine/node';
import { UserError } from '@retina/errors';

/**
 * Writes an output file the user asked for: @retina/engine's `writeFileAtomic` (a temporary file in
 * the same directory and a rename, so no reader sees a half-written file), with its file system error
 * turned into the user's — a different contract, hence a different name.
 * @throws UserError when the file cannot be written (missing directory, permissions)
 */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UserError(`${path}: cannot write the file (${code}: ${(e as Error).message})`);
    throw e;
  }
}

/** Creates `dir` (and its parents) for output files; `what` names it in the error. @throws UserError when it cannot be created */
export async function makeOutputDir(dir: string, what: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`${dir}: cannot create the ${what} directory (${e.code}: ${e.message})`);
  });
}
