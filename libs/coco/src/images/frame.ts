/** Which pixel frame an image's annotations refer to, checked against the file's real size. */
import { basename } from 'node:path';
import type { ImageFile } from './decode';
import { ImageDecodeError } from '../errors';
import { swapsAxes } from './orientation';
import type { DatasetImage } from '../types';

/**
 * Annotations normally refer to the EXIF-oriented image ('oriented'). When the annotated size
 * matches only the stored (unrotated) size of a file whose orientation swaps the axes, the boxes
 * were drawn on the stored pixels ('stored') and must be rotated with them. Any other size
 * disagreement is an `ImageDecodeError` naming the file, the image id and both sizes.
 */
export function annotationFrame(image: DatasetImage, file: ImageFile, annotationFile: string): 'oriented' | 'stored' {
  if (file.width === image.width && file.height === image.height) return 'oriented';
  if (swapsAxes(file.orientation) && file.storedWidth === image.width && file.storedHeight === image.height) {
    return 'stored';
  }
  throw new ImageDecodeError(
    file.path,
    `is ${file.width}x${file.height} (after EXIF orientation) but ${basename(annotationFile)} says ${image.width}x${image.height} for image ${image.id}`,
  );
}
