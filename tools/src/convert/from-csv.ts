/**
 * CSV → COCO for files in the common `path,x1,y1,x2,y2,class` layout (one row per box; a row
 * `path,,,,,` lists an image without objects; an optional header row is skipped). Coordinates are
 * pixel corners, so w = x2 − x1 and h = y2 − y1. Image sizes come from the image files' headers.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileNameProblem, MissingImagesError, type CocoDocument } from '@retina/coco';
import { writeCocoJson } from '../coco-json';
import { ConvertError } from './errors';
import type { ConvertSummary } from './from-voc';
import { parseCsv, CsvSyntaxError, type CsvRow } from './csv';
import { readHeaderSize } from '../image-size';

export interface CsvConvertOptions {
  csv: string;
  out: string;
  /** Root the image paths are relative to (absolute paths must lie inside it). Default: the CSV's folder. */
  images?: string;
  /** Class names in order (COCO ids 1..K); default: the names found, sorted. */
  classes?: readonly string[];
}

interface CsvBox {
  line: number;
  bbox: [number, number, number, number];
  name: string;
}

const HEADER = ['path', 'x1', 'y1', 'x2', 'y2', 'class'];

export async function convertCsv(options: CsvConvertOptions): Promise<ConvertSummary> {
  const { csv, out } = options;
  const root = resolve(options.images ?? dirname(csv));
  const rows = readRows(csv, await readFile(csv, 'utf8'));
  const boxesOf = new Map<string, CsvBox[]>();
  for (const row of rows) {
    const fileName = imageName(csv, row, root);
    const boxes = boxesOf.get(fileName) ?? [];
    boxesOf.set(fileName, boxes);
    const box = parseBox(csv, row);
    if (box) boxes.push(box);
  }
  const classes = options.classes ?? [...new Set([...boxesOf.values()].flat().map((b) => b.name))].sort();
  const doc: CocoDocument = { images: [], annotations: [], categories: classes.map((name, i) => ({ id: i + 1, name })) };
  const missing: { imageId: number; fileName: string }[] = [];
  for (const [fileName, boxes] of boxesOf) {
    const id = doc.images.length + 1;
    const path = resolve(root, fileName);
    const size = existsSync(path) ? await readHeaderSize(path) : null;
    if (!size) missing.push({ imageId: id, fileName });
    doc.images.push({ id, file_name: fileName, width: size?.storedWidth ?? 0, height: size?.storedHeight ?? 0 });
    for (const b of boxes) {
      const category = classes.indexOf(b.name);
      if (category < 0) throw new ConvertError(csv, `line ${b.line}`, `class "${b.name}" is not in --classes (${classes.join(', ')})`);
      const [x1, y1, x2, y2] = b.bbox;
      const w = x2 - x1;
      const h = y2 - y1;
      doc.annotations.push({ id: doc.annotations.length + 1, image_id: id, category_id: category + 1, bbox: [x1, y1, w, h], area: w * h, iscrowd: 0 });
    }
  }
  if (missing.length) throw new MissingImagesError(csv, root, missing);
  await writeCocoJson(out, doc);
  return { images: doc.images.length, annotations: doc.annotations.length, categories: [...classes] };
}

function readRows(csv: string, text: string): CsvRow[] {
  let rows: CsvRow[];
  try {
    rows = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ConvertError(csv, `line ${err.line}`, 'unterminated quoted field');
    throw err;
  }
  const first = rows[0]?.fields.map((f) => f.trim().toLowerCase());
  if (first && first.join(',') === HEADER.join(',')) rows = rows.slice(1);
  if (rows.length === 0) throw new ConvertError(csv, '', 'has no rows (expected path,x1,y1,x2,y2,class)');
  return rows;
}

/** The image path relative to the root; absolute paths are accepted when inside it. */
function imageName(csv: string, row: CsvRow, root: string): string {
  if (row.fields.length !== HEADER.length) {
    throw new ConvertError(csv, `line ${row.line}`, `expected 6 fields path,x1,y1,x2,y2,class (got ${row.fields.length})`);
  }
  const path = row.fields[0].trim();
  const name = isAbsolute(path) ? relative(root, path) : path;
  const problem = fileNameProblem(name);
  if (!path || !name || problem) {
    throw new ConvertError(csv, `line ${row.line}`, `path ${JSON.stringify(path)} must name a file inside the images root ${root}`);
  }
  return name;
}

/** The row's box, or null for an image-only row (`path,,,,,`). */
function parseBox(csv: string, row: CsvRow): CsvBox | null {
  const [, ...rest] = row.fields.map((f) => f.trim());
  if (rest.every((f) => f === '')) return null;
  const where = `line ${row.line}`;
  const coords = rest.slice(0, 4).map((f, k) => {
    const v = f === '' ? NaN : Number(f);
    if (!Number.isFinite(v)) throw new ConvertError(csv, where, `${HEADER[k + 1]} must be a number (got ${JSON.stringify(f)})`);
    return v;
  });
  const [x1, y1, x2, y2] = coords;
  if (!(x2 > x1)) throw new ConvertError(csv, where, `x2 must be > x1 (got x1=${x1}, x2=${x2})`);
  if (!(y2 > y1)) throw new ConvertError(csv, where, `y2 must be > y1 (got y1=${y1}, y2=${y2})`);
  if (!rest[4]) throw new ConvertError(csv, where, 'class is empty');
  return { line: row.line, bbox: [x1, y1, x2, y2], name: rest[4] };
}
