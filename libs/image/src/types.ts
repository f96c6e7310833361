/** Width and height in pixels. */
export interface Size {
  height: number;
  width: number;
}

/** RGB pixels, row-major HWC, 3 bytes per pixel (`data.length === height * width * 3`). */
export interface RgbImage {
  data: Uint8Array;
  height: number;
  width: number;
}
