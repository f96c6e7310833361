/** Test helpers: temporary folders, small COCO documents and synthetic images with known content. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** The bundled real-photo dataset (data/raccoon), relative to this file. */
export const RACCOON = join(__dirname, '..', '..', '..', '..', 'data', 'raccoon');

export function tempDir(prefix = 'coco-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeJson(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** A small valid document: two 64×48 images, two categories (ids 3 and 7), three boxes. */
export function validDoc(): {
  images: Record<string, unknown>[];
  annotations: Record<string, unknown>[];
  categories: Record<string, unknown>[];
} {
  return {
    images: [
      { id: 1, file_name: 'a.png', width: 64, height: 48 },
      { id: 2, file_name: 'b.png', width: 64, height: 48 },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: 7, bbox: [4, 6, 20, 10], area: 200, iscrowd: 0 },
      { id: 11, image_id: 1, category_id: 3, bbox: [30, 20, 10, 20], area: 200, iscrowd: 0 },
      { id: 12, image_id: 2, category_id: 3, bbox: [0, 0, 64, 48], area: 3072, iscrowd: 1 },
    ],
    categories: [
      { id: 7, name: 'seven' },
      { id: 3, name: 'three' },
    ],
  };
}

export type Rgb = [number, number, number];

/**
 * A raw RGB image: `background` everywhere and each rectangle [x1, y1, x2, y2] (integer pixel
 * edges, x2/y2 exclusive) filled with its colour.
 */
export function rectImage(width: number, height: number, background: Rgb, rects: { box: number[]; color: Rgb }[]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = rects.find(({ box }) => x >= box[0] && x < box[2] && y >= box[1] && y < box[3]);
      data.set(r ? r.color : background, (y * width + x) * 3);
    }
  }
  return data;
}

/** Writes raw RGB pixels as PNG (or JPEG at quality 100), optionally with an EXIF orientation tag. */
export async function writeImage(
  path: string,
  raw: Buffer,
  width: number,
  height: number,
  options: { format?: 'png' | 'jpeg' | 'webp'; orientation?: number } = {},
): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  let image = sharp(raw, { raw: { width, height, channels: 3 } });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  const format = options.format ?? 'png';
  image = format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }) : image.webp({ lossless: true });
  await image.toFile(path);
  return path;
}

/** Bounding box [x1, y1, x2, y2] (pixel edges) of the pixels close to `color` in an RGB buffer. */
export function colorBounds(data: ArrayLike<number>, width: number, height: number, color: Rgb, tolerance = 60, channelsStride = 3): number[] | null {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channelsStride;
      const d = Math.abs(data[i] - color[0]) + Math.abs(data[i + 1] - color[1]) + Math.abs(data[i + 2] - color[2]);
      if (d <= tolerance) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  }
  return Number.isFinite(x1) ? [x1, y1, x2, y2] : null;
}

export interface RectSpec {
  width: number;
  height: number;
  /** Boxes [x1, y1, x2, y2] (integer pixel edges), each filled with its own colour. */
  boxes: number[][];
  categoryIds?: number[];
  orientation?: number;
  /** Size written in the annotation file (default: the image's size as stored). */
  annotatedSize?: [number, number];
  /** Boxes written in the annotation file (default: `boxes`, where the rectangles are drawn). */
  annotatedBoxes?: number[][];
}

/** A distinct saturated colour for object k (well apart from the gray background and each other). */
export function objectColor(k: number): Rgb {
  const palette: Rgb[] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
    [255, 0, 255],
    [0, 255, 255],
  ];
  return palette[k % palette.length];
}

export const BACKGROUND: Rgb = [128, 128, 128];

/** Writes PNG images with coloured rectangles and their COCO file; object k has colour objectColor(k). */
export async function writeRectDataset(dir: string, specs: RectSpec[]): Promise<{ ann: string; root: string }> {
  const root = join(dir, 'images');
  const images: unknown[] = [];
  const annotations: unknown[] = [];
  let k = 0;
  for (const [i, s] of specs.entries()) {
    const rects = s.boxes.map((box, j) => ({ box, color: objectColor(k + j) }));
    await writeImage(join(root, `im${i + 1}.png`), rectImage(s.width, s.height, BACKGROUND, rects), s.width, s.height, { orientation: s.orientation });
    const [w, h] = s.annotatedSize ?? [s.width, s.height];
    images.push({ id: i + 1, file_name: `im${i + 1}.png`, width: w, height: h });
    (s.annotatedBoxes ?? s.boxes).forEach((b, j) => {
      annotations.push({ id: ++k, image_id: i + 1, category_id: s.categoryIds?.[j] ?? 1, bbox: [b[0], b[1], b[2] - b[0], b[3] - b[1]], area: 1, iscrowd: 0 });
    });
  }
  const ann = writeJson(join(dir, 'instances.json'), { images, annotations, categories: [{ id: 1, name: 'one' }, { id: 2, name: 'two' }] });
  return { ann, root };
}
