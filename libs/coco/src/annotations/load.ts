/**
 * `loadCocoDataset`: read, validate and cross-check a COCO instances file, then check up front
 * that every image file exists inside the images root (all missing files in one error).
 */
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DatasetBuilder } from './builder';
import type { CocoDataset } from './dataset';
import { CocoFormatError, CocoOptionError, MissingImagesError } from '../errors';
import { mapConcurrent } from '../loading/concurrency';
import { realPathInside } from './paths';
import { readInMemory, readStreaming } from './read-json';

export interface LoadOptions {
  /** Reject boxes that extend outside their image instead of clipping them (default false). */
  strict?: boolean;
  /** Check that every image file exists inside the images root (default true). */
  checkFiles?: boolean;
  /** Keep `segmentation` on each annotation (default true); false saves memory on large files. */
  keepSegmentation?: boolean;
  /** Files larger than this many bytes are streamed record by record (default 64 MiB). */
  streamThresholdBytes?: number;
}

export const DEFAULT_STREAM_THRESHOLD_BYTES = 64 * 1024 * 1024;
const FILE_CHECK_CONCURRENCY = 32;

/**
 * Loads `annotationFile` (COCO instances JSON) whose `file_name`s are relative to `imagesRoot`.
 * Throws `CocoFormatError` (one line: file, record, field), `MissingImagesError`, or `CocoOptionError`.
 */
export async function loadCocoDataset(
  annotationFile: string,
  imagesRoot: string,
  options: LoadOptions = {},
): Promise<CocoDataset> {
  const { strict = false, checkFiles = true, keepSegmentation = true } = options;
  const threshold = options.streamThresholdBytes ?? DEFAULT_STREAM_THRESHOLD_BYTES;
  const size = await fileSize(annotationFile);
  const builder = new DatasetBuilder(annotationFile, resolve(imagesRoot), { strict, keepSegmentation });
  const streamed = size > threshold;
  await (streamed ? readStreaming(annotationFile, builder) : readInMemory(annotationFile, builder));
  const dataset = builder.finish(streamed);
  if (checkFiles) await checkImageFiles(dataset);
  return dataset;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    throw new CocoOptionError('annotationFile', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** Every image must exist and resolve (symlinks followed) inside the images root. */
export async function checkImageFiles(dataset: CocoDataset): Promise<void> {
  const root = await realRoot(dataset.imagesRoot);
  const checks = await mapConcurrent(dataset.images, FILE_CHECK_CONCURRENCY, (im) => realPathInside(root, im.path));
  const missing: { imageId: number; fileName: string }[] = [];
  checks.forEach((check, i) => {
    const im = dataset.images[i];
    if (check.kind === 'outside') {
      throw new CocoFormatError(dataset.annotationFile, 'image', im.id, 'file_name', `resolves outside the images root through a symlink (${im.fileName} -> ${check.realPath})`);
    }
    if (check.kind === 'missing') missing.push({ imageId: im.id, fileName: im.fileName });
  });
  if (missing.length) throw new MissingImagesError(dataset.annotationFile, dataset.imagesRoot, missing);
}

/** The images root with symlinks resolved; a missing root is a bad option. */
export async function realRoot(imagesRoot: string): Promise<string> {
  try {
    return await realpath(imagesRoot);
  } catch {
    throw new CocoOptionError('imagesRoot', `directory ${imagesRoot} does not exist`);
  }
}
