/**
 * EXIF orientation (1..8) as a map from the stored pixel frame to the displayed frame. Decoding
 * applies it to the pixels; `orientBoxes` applies the same map to boxes drawn on the stored pixels.
 */
import type { BoxesXyxy } from '../types';

/** Orientations 5..8 swap width and height. */
export function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/** Size after orientation of an image stored as width × height. */
export function orientedSize(width: number, height: number, orientation: number): { width: number; height: number } {
  return swapsAxes(orientation) ? { width: height, height: width } : { width, height };
}

/**
 * Maps boxes [N * 4] (xyxy) drawn on the stored image (width × height as stored) into the frame
 * of the displayed image. Returns a new array.
 */
export function orientBoxes(boxes: BoxesXyxy, orientation: number, width: number, height: number): BoxesXyxy {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    const [ax, ay] = orientPoint(boxes[i], boxes[i + 1], orientation, width, height);
    const [bx, by] = orientPoint(boxes[i + 2], boxes[i + 3], orientation, width, height);
    out[i] = Math.min(ax, bx);
    out[i + 1] = Math.min(ay, by);
    out[i + 2] = Math.max(ax, bx);
    out[i + 3] = Math.max(ay, by);
  }
  return out;
}

/** Where the stored point (x, y) of a width × height image lands after orientation. */
function orientPoint(x: number, y: number, orientation: number, width: number, height: number): [number, number] {
  switch (orientation) {
    case 2: // mirrored horizontally
      return [width - x, y];
    case 3: // rotated 180°
      return [width - x, height - y];
    case 4: // mirrored vertically
      return [x, height - y];
    case 5: // transposed
      return [y, x];
    case 6: // rotated 90° clockwise
      return [height - y, x];
    case 7: // transversed
      return [height - y, width - x];
    case 8: // rotated 90° counter-clockwise
      return [y, width - x];
    default:
      return [x, y];
  }
}
