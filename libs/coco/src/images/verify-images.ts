/**
 * Up-front checks of every image file of a dataset (what `validate` runs before training): the
 * header (format, pixel limit, size agreeing with the annotations) and, optionally, a full decode.
 */
import type { CocoDataset } from '../annotations/dataset';
import { mapConcurrent } from '../loading/concurrency';
import { decodeImage, DEFAULT_MAX_PIXELS, readImageFile } from './decode';
import { CocoError } from '../errors';
import { annotationFrame } from './frame';

export interface VerifyOptions {
  /** Decode every image fully (finds truncated and corrupt data, not only bad headers). Default false. */
  decode?: boolean;
  maxPixels?: number;
  /** Files checked at the same time. Default 8. */
  concurrency?: number;
}

export interface ImageProblem {
  imageId: number;
  error: CocoError;
}

export interface VerifyReport {
  checked: number;
  problems: ImageProblem[];
  /** One-line warnings of images that decode with problems (e.g. truncated data). */
  warnings: string[];
}

export async function verifyImages(dataset: CocoDataset, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { decode = false, maxPixels = DEFAULT_MAX_PIXELS, concurrency = 8 } = options;
  const problems: ImageProblem[] = [];
  const warnings: string[] = [];
  await mapConcurrent(dataset.images, concurrency, async (image) => {
    try {
      const file = await readImageFile(image.path, maxPixels);
      annotationFrame(image, file, dataset.annotationFile);
      if (decode) warnings.push(...(await decodeImage(file, { maxPixels })).warnings);
    } catch (err) {
      if (!(err instanceof CocoError)) throw err;
      problems.push({ imageId: image.id, error: err });
    }
  });
  problems.sort((a, b) => a.imageId - b.imageId);
  return { checked: dataset.images.length, problems, warnings: warnings.sort() };
}
