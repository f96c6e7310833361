/**
 * A deterministic synthetic detection dataset in COCO format: shapes of several classes (circle,
 * rectangle, triangle, diamond, star) on textured backgrounds, object sizes spanning COCO's small /
 * medium / large ranges, and a class-imbalance knob (the last class at `rareClassFraction` of all
 * objects). Images are PNG or JPEG; annotations carry polygon segmentations.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CocoOptionError, Rng, type CocoAnnotationJson, type CocoDocument, type CocoImageJson } from '@retina/coco';
import { roundTo, writeCocoJson } from '../coco-json';
import { fillPolygon, randomColor, texturedBackground, type Canvas, type Rgb } from './synth/raster';
import { polygonArea, polygonBounds, SHAPES, type Polygon } from './synth/shapes';

export interface GenerateOptions {
  out: string;
  /** Number of images (train + val). */
  images: number;
  /** Largest image side; images are `size` × `size` unless `minSize` is smaller. Default 256. */
  size?: number;
  /** Smallest image side: each side is drawn from [minSize, size]. Default `size`. */
  minSize?: number;
  seed?: number;
  /** Fraction of objects belonging to the last class ("star"). Default 0.02. */
  rareClassFraction?: number;
  /** Number of classes (2..5, taken from the start of the shape list). Default 5. */
  classes?: number;
  /** Objects per image: drawn from [1, maxObjects]. Default 6. */
  maxObjects?: number;
  /** Fraction of images in the validation split. Default 0.2. */
  valFraction?: number;
  /** Smallest object side in px. Default 8. */
  minObject?: number;
  /** Largest object side in px; capped at 0.6 × the image's shorter side. Default: that cap. */
  maxObject?: number;
  format?: 'png' | 'jpeg';
}

export interface GenerateSummary {
  train: { images: number; annotations: number };
  val: { images: number; annotations: number };
  /** Objects per class name, over both splits. */
  perClass: Record<string, number>;
}

/** Default smallest object side in pixels (COCO "small" objects are below 32 × 32). */
const MIN_OBJECT = 8;
/** Largest object side as a fraction of the image side (large objects are above 96 × 96). */
const MAX_OBJECT_FRACTION = 0.6;
const PLACEMENT_TRIES = 30;

export async function generateDataset(options: GenerateOptions): Promise<GenerateSummary> {
  const o = checkOptions(options);
  await mkdir(join(o.out, 'images'), { recursive: true });
  const numVal = Math.round(o.images * o.valFraction);
  const categories = SHAPES.slice(0, o.classes).map((s, i) => ({ id: i + 1, name: s.name, supercategory: 'shape' }));
  const split = { train: emptyDoc(categories), val: emptyDoc(categories) };
  const perClass: Record<string, number> = Object.fromEntries(categories.map((c) => [c.name, 0]));
  let annotationId = 1;
  for (let index = 0; index < o.images; index++) {
    const { image, objects } = await renderImage(o, index);
    const doc = index >= o.images - numVal ? split.val : split.train;
    doc.images.push(image);
    for (const obj of objects) {
      doc.annotations.push(toAnnotation(obj, image.id, annotationId++));
      perClass[categories[obj.classIndex].name]++;
    }
  }
  await writeCocoJson(join(o.out, 'annotations', 'instances_train.json'), split.train);
  await writeCocoJson(join(o.out, 'annotations', 'instances_val.json'), split.val);
  const count = (d: CocoDocument) => ({ images: d.images.length, annotations: d.annotations.length });
  return { train: count(split.train), val: count(split.val), perClass };
}

type Resolved = Required<GenerateOptions>;

function checkOptions(o: GenerateOptions): Resolved {
  const r: Resolved = {
    size: 256,
    seed: 0,
    rareClassFraction: 0.02,
    classes: SHAPES.length,
    maxObjects: 6,
    valFraction: 0.2,
    format: 'png',
    ...o,
    minObject: o.minObject ?? MIN_OBJECT,
    maxObject: o.maxObject ?? Infinity,
    minSize: o.minSize ?? o.size ?? 256,
  };
  const int = (name: string, v: number, lo: number, hi = Infinity): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new CocoOptionError(name, `must be an integer in [${lo}, ${hi}] (got ${v})`);
  };
  int('images', r.images, 1);
  int('size', r.size, 32, 4096);
  int('minSize', r.minSize, 32, r.size);
  int('seed', r.seed, -(2 ** 31), 2 ** 31 - 1);
  int('classes', r.classes, 2, SHAPES.length);
  int('maxObjects', r.maxObjects, 1, 50);
  const fraction = (name: string, v: number): void => {
    if (!(v >= 0 && v < 1)) throw new CocoOptionError(name, `must be in [0, 1) (got ${v})`);
  };
  fraction('rareClassFraction', r.rareClassFraction);
  fraction('valFraction', r.valFraction);
  if (!(r.minObject >= 1 && r.minObject <= MAX_OBJECT_FRACTION * r.minSize)) {
    throw new CocoOptionError('minObject', `must be in [1, ${MAX_OBJECT_FRACTION * r.minSize}] px (0.6 × the smallest image side; got ${r.minObject})`);
  }
  if (!(r.maxObject >= r.minObject)) throw new CocoOptionError('maxObject', `must be ≥ minObject ${r.minObject} px (got ${r.maxObject})`);
  if (r.format !== 'png' && r.format !== 'jpeg') throw new CocoOptionError('format', `must be png or jpeg (got ${r.format})`);
  return r;
}

function emptyDoc(categories: CocoDocument['categories']): CocoDocument {
  return { info: { description: 'Retina synthetic shapes dataset' }, images: [], annotations: [], categories };
}

interface SynthObject {
  classIndex: number;
  polygon: Polygon;
}

/** Draws image `index` (from its own random stream) and writes it; returns its record and objects. */
async function renderImage(o: Resolved, index: number): Promise<{ image: CocoImageJson; objects: SynthObject[] }> {
  const rng = Rng.derive(o.seed, index);
  const width = rng.int(o.minSize, o.size);
  const height = rng.int(o.minSize, o.size);
  const canvas = texturedBackground(width, height, rng);
  const objects = placeObjects(o, rng, width, height);
  for (const obj of objects) fillPolygon(canvas, obj.polygon, contrastingColor(canvas, obj.polygon, rng));
  const fileName = `synth-${String(index + 1).padStart(6, '0')}.${o.format === 'png' ? 'png' : 'jpg'}`;
  await encode(canvas, join(o.out, 'images', fileName), o.format);
  return { image: { id: index + 1, file_name: fileName, width, height }, objects };
}

function placeObjects(o: Resolved, rng: Rng, width: number, height: number): SynthObject[] {
  const count = rng.int(1, o.maxObjects);
  const placed: SynthObject[] = [];
  const maxSide = Math.min(o.maxObject, MAX_OBJECT_FRACTION * Math.min(width, height));
  for (let k = 0; k < count; k++) {
    const classIndex = drawClass(o, rng);
    // Log-uniform sizes cover small, medium and large objects evenly on a log scale.
    const size = Math.exp(rng.uniform(Math.log(o.minObject), Math.log(maxSide)));
    for (let t = 0; t < PLACEMENT_TRIES; t++) {
      const polygon = SHAPES[classIndex].polygon(rng.uniform(size / 2, width - size / 2), rng.uniform(size / 2, height - size / 2), size, rng);
      if (placed.every((p) => !boxesOverlap(polygonBounds(p.polygon), polygonBounds(polygon)))) {
        placed.push({ classIndex, polygon });
        break;
      }
    }
  }
  return placed;
}

/** The last class with probability `rareClassFraction`, otherwise one of the others uniformly. */
function drawClass(o: Resolved, rng: Rng): number {
  return rng.chance(o.rareClassFraction) ? o.classes - 1 : rng.int(0, o.classes - 2);
}

function boxesOverlap(a: number[], b: number[]): boolean {
  const margin = 2;
  return a[0] < b[2] + margin && b[0] < a[2] + margin && a[1] < b[3] + margin && b[1] < a[3] + margin;
}

/** A random colour far enough (L1 > 200) from the background under the object's centre. */
function contrastingColor(canvas: Canvas, polygon: Polygon, rng: Rng): Rgb {
  const [x1, y1, x2, y2] = polygonBounds(polygon);
  const i = (Math.floor((y1 + y2) / 2) * canvas.width + Math.floor((x1 + x2) / 2)) * 3;
  const bg = [canvas.data[i], canvas.data[i + 1], canvas.data[i + 2]];
  let color = randomColor(rng);
  for (let t = 0; t < 20 && color.reduce((d, c, k) => d + Math.abs(c - bg[k]), 0) < 200; t++) color = randomColor(rng);
  return color;
}

function toAnnotation(obj: SynthObject, imageId: number, id: number): CocoAnnotationJson {
  const polygon = obj.polygon.map((v) => roundTo(v, 2));
  const [x1, y1, x2, y2] = polygonBounds(polygon);
  return {
    id,
    image_id: imageId,
    category_id: obj.classIndex + 1,
    bbox: [x1, y1, roundTo(x2 - x1, 2), roundTo(y2 - y1, 2)],
    area: roundTo(polygonArea(polygon), 2),
    iscrowd: 0,
    segmentation: [polygon],
  };
}

async function encode(canvas: Canvas, path: string, format: 'png' | 'jpeg'): Promise<void> {
  const image = sharp(canvas.data, { raw: { width: canvas.width, height: canvas.height, channels: 3 } });
  await (format === 'png' ? image.png({ compressionLevel: 6 }) : image.jpeg({ quality: 90 })).toFile(path);
}
