/** [N * 4] boxes as (x1, y1, x2, y2) in absolute pixels, float32. */
export type BoxesXyxy = Float32Array;
/** [N * 4] boxes as COCO (x, y, width, height); appears only at the COCO boundary. */
export type BoxesXywh = Float32Array;
/** [N * 4] regression targets (dx, dy, dw, dh). */
export type BoxDeltas = Float32Array;

/** Thrown for a malformed argument (wrong length, bad option). */
export class AnchorArgumentError extends Error {
  constructor(fn: string, message: string) {
    super(`Error in ${fn}: ${message}`);
    this.name = 'AnchorArgumentError';
  }
}

export function checkBoxes(fn: string, name: string, boxes: Float32Array): number {
  if (boxes.length % 4 !== 0) {
    throw new AnchorArgumentError(fn, `${name} must hold 4 numbers per box (length ${boxes.length} is not a multiple of 4)`);
  }
  return boxes.length / 4;
}

const isFinite = Number.isFinite;

/** Rejects a box with a NaN or infinite coordinate (it would make every comparison false). */
export function checkFinite(fn: string, name: string, boxes: Float32Array): void {
  for (let i = 0; i < boxes.length; i++) {
    if (!isFinite(boxes[i])) {
      const box = Math.floor(i / 4);
      throw new AnchorArgumentError(fn, `${name} box ${box} has a non-finite coordinate (${Array.from(boxes.subarray(4 * box, 4 * box + 4)).join(', ')})`);
    }
  }
}
