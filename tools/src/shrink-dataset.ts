/**
 * Downscales a COCO dataset (images and annotations together), e.g. to bundle a small copy:
 * every image whose longer side exceeds `maxSide` is resized (EXIF orientation baked in), and every
 * image is re-encoded in its own format (JPEG and WebP at `quality`, PNG lossless); boxes, polygon segmentations, areas and image sizes are scaled to match.
 * Files at the top of the source (LICENSE, SOURCE.md, ...) are copied unchanged.
 */
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import {
  CocoFormatError,
  loadCocoDataset,
  type CocoAnnotationJson,
  type CocoDocument,
  type CocoImageJson,
} from '@retina/coco';
import { roundTo, writeCocoJson } from './coco-json';

export interface ShrinkOptions {
  /** Dataset root holding annotations/*.json and images/. */
  src: string;
  /** Output root (same layout). */
  out: string;
  maxSide?: number;
  quality?: number;
}

export interface ShrinkSummary {
  files: string[];
  images: number;
  resized: number;
}

interface Scale {
  sx: number;
  sy: number;
}

export async function shrinkDataset({ src, out, maxSide = 384, quality = 85 }: ShrinkOptions): Promise<ShrinkSummary> {
  const annDir = join(src, 'annotations');
  const files = (await readdir(annDir)).filter((f) => f.endsWith('.json')).sort();
  await mkdir(join(out, 'images'), { recursive: true });
  let images = 0;
  let resized = 0;
  for (const f of files) {
    const path = join(annDir, f);
    await loadCocoDataset(path, join(src, 'images'), { strict: true });
    const doc = JSON.parse(await readFile(path, 'utf8')) as CocoDocument;
    const scales = new Map<number, Scale>();
    for (const im of doc.images) {
      const scale = await shrinkImage(join(src, 'images', im.file_name), join(out, 'images', im.file_name), im, maxSide, quality);
      scales.set(im.id, scale);
      images++;
      if (scale.sx !== 1 || scale.sy !== 1) resized++;
    }
    doc.annotations = doc.annotations.map((a) => scaleAnnotation(path, a, scales.get(a.image_id) as Scale));
    await writeCocoJson(join(out, 'annotations', f), doc);
  }
  for (const entry of await readdir(src, { withFileTypes: true })) {
    if (entry.isFile()) await copyFile(join(src, entry.name), join(out, entry.name));
  }
  return { files, images, resized };
}

/** Writes the resized JPEG, updates the record's width/height, returns the per-axis scale. */
async function shrinkImage(from: string, to: string, im: CocoImageJson, maxSide: number, quality: number): Promise<Scale> {
  const s = Math.min(1, maxSide / Math.max(im.width, im.height));
  const width = Math.max(1, Math.round(im.width * s));
  const height = Math.max(1, Math.round(im.height * s));
  const image = sharp(from).autoOrient().resize(width, height, { fit: 'fill' });
  const { format } = await sharp(from).metadata();
  // Keep each file's format (its name says it): JPEG/WebP at `quality`, PNG lossless.
  if (format === 'png') image.png({ compressionLevel: 9 });
  else if (format === 'webp') image.webp({ quality });
  else image.jpeg({ quality, mozjpeg: true });
  await image.toFile(to);
  const scale = { sx: width / im.width, sy: height / im.height };
  im.width = width;
  im.height = height;
  return scale;
}

function scaleAnnotation(file: string, a: CocoAnnotationJson, { sx, sy }: Scale): CocoAnnotationJson {
  const [x, y, w, h] = a.bbox;
  const x1 = roundTo(x * sx, 2);
  const y1 = roundTo(y * sy, 2);
  const out: CocoAnnotationJson = {
    ...a,
    bbox: [x1, y1, roundTo((x + w) * sx - x1, 2), roundTo((y + h) * sy - y1, 2)],
    area: roundTo(a.area * sx * sy, 2),
  };
  if (a.segmentation && !Array.isArray(a.segmentation)) {
    throw new CocoFormatError(basename(file), 'annotation', a.id, 'segmentation', 'is an RLE mask, which this tool cannot resize');
  }
  if (a.segmentation) out.segmentation = a.segmentation.map((poly) => poly.map((v, i) => roundTo(v * (i % 2 ? sy : sx), 2)));
  return out;
}
