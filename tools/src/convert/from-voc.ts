/**
 * Pascal VOC XML → COCO. VOC pixel indices are 1-based and inclusive, so a VOC box
 * (xmin, ymin, xmax, ymax) becomes x = xmin − 1, y = ymin − 1, w = xmax − xmin + 1,
 * h = ymax − ymin + 1 (as detectron2's VOC loader). `difficult` objects become crowd ("ignore")
 * regions by default, matching VOC evaluation, which neither rewards nor penalises them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CocoOptionError, fileNameProblem, type CocoAnnotationJson, type CocoDocument, type CocoImageJson } from '@retina/coco';
import { writeCocoJson } from '../coco-json';
import { ConvertError } from './errors';
import { readHeaderSize, sizeMatches } from '../image-size';
import { child, parseXml, XmlSyntaxError, type XmlElement } from './xml';

export interface VocConvertOptions {
  /** Directory of VOC XML files (every *.xml in it, sorted by name). */
  xmlDir: string;
  out: string;
  /** Images directory: sizes missing from the XML are read from it, present ones are checked. */
  images?: string;
  /** Class names in order (COCO ids 1..K); default: the names found, sorted. */
  classes?: readonly string[];
  /** `difficult` objects: 'ignore' (iscrowd 1, default), 'drop', or 'keep' (ordinary objects). */
  difficult?: 'ignore' | 'drop' | 'keep';
}

export interface ConvertSummary {
  images: number;
  annotations: number;
  categories: string[];
}

interface VocObject {
  name: string;
  difficult: boolean;
  bbox: [number, number, number, number];
}

interface VocFile {
  xml: string;
  fileName: string;
  width: number;
  height: number;
  objects: VocObject[];
}

export async function convertVoc(options: VocConvertOptions): Promise<ConvertSummary> {
  const { xmlDir, out, images, difficult = 'ignore' } = options;
  if (!['ignore', 'drop', 'keep'].includes(difficult)) throw new CocoOptionError('difficult', `must be ignore, drop or keep (got ${difficult})`);
  const names = (await readdir(xmlDir)).filter((f) => f.toLowerCase().endsWith('.xml')).sort();
  if (names.length === 0) throw new CocoOptionError('xmlDir', `no .xml files in ${xmlDir}`);
  const files: VocFile[] = [];
  for (const name of names) files.push(await readVocFile(join(xmlDir, name), images));
  const classes = options.classes ?? [...new Set(files.flatMap((f) => f.objects.map((o) => o.name)))].sort();
  const doc: CocoDocument = {
    images: [],
    annotations: [],
    categories: classes.map((name, i) => ({ id: i + 1, name })),
  };
  for (const f of files) {
    const image: CocoImageJson = { id: doc.images.length + 1, file_name: f.fileName, width: f.width, height: f.height };
    doc.images.push(image);
    f.objects.forEach((o, k) => {
      if (o.difficult && difficult === 'drop') return;
      const category = classes.indexOf(o.name);
      if (category < 0) throw new ConvertError(f.xml, `object ${k + 1}`, `class "${o.name}" is not in --classes (${classes.join(', ')})`);
      doc.annotations.push(toAnnotation(o, image.id, category + 1, doc.annotations.length + 1, o.difficult && difficult === 'ignore'));
    });
  }
  await writeCocoJson(out, doc);
  return { images: doc.images.length, annotations: doc.annotations.length, categories: [...classes] };
}

function toAnnotation(o: VocObject, imageId: number, categoryId: number, id: number, crowd: boolean): CocoAnnotationJson {
  const [xmin, ymin, xmax, ymax] = o.bbox;
  const w = xmax - xmin + 1;
  const h = ymax - ymin + 1;
  return { id, image_id: imageId, category_id: categoryId, bbox: [xmin - 1, ymin - 1, w, h], area: w * h, iscrowd: crowd ? 1 : 0 };
}

async function readVocFile(xml: string, images: string | undefined): Promise<VocFile> {
  let root: XmlElement;
  try {
    root = parseXml(await readFile(xml, 'utf8'));
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new ConvertError(xml, `line ${err.line}`, `invalid XML: ${err.message.replace(/^line \d+: /, '')}`);
    throw err;
  }
  if (root.name !== 'annotation') throw new ConvertError(xml, '', `root element must be <annotation> (got <${root.name}>)`);
  const fileName = text(xml, root, 'filename', '');
  const problem = fileNameProblem(fileName);
  if (problem) throw new ConvertError(xml, '', `<filename> ${problem} (got ${JSON.stringify(fileName)})`);
  const size = await imageSize(xml, root, fileName, images);
  const objects = root.children.filter((c) => c.name === 'object').map((o, k) => readObject(xml, o, k + 1));
  return { xml, fileName, ...size, objects };
}

/** Size from <size>, checked against the image when `images` is given, or read from it when absent. */
async function imageSize(xml: string, root: XmlElement, fileName: string, images: string | undefined): Promise<{ width: number; height: number }> {
  const size = child(root, 'size');
  const width = size ? Number(child(size, 'width')?.text.trim()) : NaN;
  const height = size ? Number(child(size, 'height')?.text.trim()) : NaN;
  const given = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0;
  if (!images) {
    if (!given) throw new ConvertError(xml, '<size>', 'width and height must be positive integers (pass --images to read them from the image files)');
    return { width, height };
  }
  const header = await readHeaderSize(join(images, fileName));
  if (!given) return { width: header.storedWidth, height: header.storedHeight };
  if (!sizeMatches(header, width, height)) {
    throw new ConvertError(xml, '<size>', `${width}x${height} does not match ${basename(fileName)} (${header.storedWidth}x${header.storedHeight})`);
  }
  return { width, height };
}

function readObject(xml: string, el: XmlElement, k: number): VocObject {
  const where = `object ${k}`;
  const name = text(xml, el, 'name', where);
  const difficultText = child(el, 'difficult')?.text.trim() ?? '0';
  if (difficultText !== '0' && difficultText !== '1') throw new ConvertError(xml, where, `<difficult> must be 0 or 1 (got ${JSON.stringify(difficultText)})`);
  const box = child(el, 'bndbox');
  if (!box) throw new ConvertError(xml, where, '<bndbox> is missing');
  const [xmin, ymin, xmax, ymax] = (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((f) => {
    const v = Number(text(xml, box, f, where));
    if (!Number.isFinite(v)) throw new ConvertError(xml, where, `<${f}> must be a number (got ${JSON.stringify(child(box, f)?.text.trim())})`);
    return v;
  });
  if (xmax < xmin) throw new ConvertError(xml, where, `<xmax> must be >= <xmin> (got xmin=${xmin}, xmax=${xmax})`);
  if (ymax < ymin) throw new ConvertError(xml, where, `<ymax> must be >= <ymin> (got ymin=${ymin}, ymax=${ymax})`);
  return { name, difficult: difficultText === '1', bbox: [xmin, ymin, xmax, ymax] };
}

function text(xml: string, el: XmlElement, name: string, where: string): string {
  const value = child(el, name)?.text.trim();
  if (!value) throw new ConvertError(xml, where, `<${name}> is missing or empty`);
  return value;
}
