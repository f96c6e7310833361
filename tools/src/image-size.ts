/** Image sizes for the converters, read from file headers (no full decode). */
import { readImageFile } from '@retina/coco';

/** Size of the pixels as stored and after EXIF orientation. */
export interface HeaderSize {
  width: number;
  height: number;
  storedWidth: number;
  storedHeight: number;
  orientation: number;
}

export async function readHeaderSize(path: string): Promise<HeaderSize> {
  const f = await readImageFile(path);
  return { width: f.width, height: f.height, storedWidth: f.storedWidth, storedHeight: f.storedHeight, orientation: f.orientation };
}

/** True when (width, height) is the stored or the oriented size of the image. */
export function sizeMatches(size: HeaderSize, width: number, height: number): boolean {
  return (width === size.width && height === size.height) || (width === size.storedWidth && height === size.storedHeight);
}
