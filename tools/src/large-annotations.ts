/**
 * Writes a large COCO-instances-like annotation file (for load-time and memory benchmarks): image
 * records with the fields real COCO carries, ~7 annotations per image with polygon segmentations,
 * ~1% crowd annotations with uncompressed RLE, 80 categories at the end. Deterministic per seed.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Rng } from '@retina/coco';

export interface LargeAnnotationOptions {
  /** Approximate size of the file to write, in bytes. */
  targetBytes: number;
  seed?: number;
}

export interface LargeAnnotationSummary {
  images: number;
  annotations: number;
  bytes: number;
}

const CATEGORY_COUNT = 80;
const SAMPLE_IMAGES = 300;
/** Size estimates use ids of typical length (six digits), as most records of a large file have. */
const SAMPLE_ID = 100_000;

/** Writes the file at `path`; returns what it holds. */
export async function writeLargeAnnotationFile(
  path: string,
  { targetBytes, seed = 0 }: LargeAnnotationOptions,
): Promise<LargeAnnotationSummary> {
  let sampleBytes = 0;
  for (let i = 0; i < SAMPLE_IMAGES; i++) {
    sampleBytes += imageJson(seed, SAMPLE_ID + i).length + annotationsJson(seed, SAMPLE_ID + i, 10 * SAMPLE_ID).text.length + 2;
  }
  const numImages = Math.max(1, Math.round(targetBytes / (sampleBytes / SAMPLE_IMAGES)));
  const out = new ChunkWriter(path);
  await out.write('{"info":{"description":"synthetic COCO-like benchmark file","version":"1.0","year":2017},');
  await out.write('"licenses":[{"url":"http://creativecommons.org/licenses/by/2.0/","id":1,"name":"Attribution License"}],');
  await out.write('"images":[');
  for (let id = 1; id <= numImages; id++) await out.write((id > 1 ? ',' : '') + imageJson(seed, id));
  await out.write('],"annotations":[');
  let annId = 0;
  for (let id = 1; id <= numImages; id++) {
    const block = annotationsJson(seed, id, annId);
    if (block.count > 0) await out.write((annId > 0 ? ',' : '') + block.text);
    annId += block.count;
  }
  const cats = Array.from({ length: CATEGORY_COUNT }, (_, i) => categoryId(i));
  await out.write(`],"categories":[${cats.map((id) => `{"supercategory":"thing","id":${id},"name":"class${id}"}`).join(',')}]}`);
  const bytes = await out.close();
  return { images: numImages, annotations: annId, bytes };
}

/** COCO's 80 category ids run from 1 to 90 with gaps; mimic that with every ninth id skipped. */
function categoryId(i: number): number {
  return i + 1 + Math.floor(i / 8);
}

function imageSize(seed: number, id: number): { width: number; height: number } {
  const rng = Rng.derive(seed, id, 0);
  return rng.chance(0.5) ? { width: 640, height: rng.int(360, 640) } : { width: rng.int(360, 640), height: 640 };
}

function imageJson(seed: number, id: number): string {
  const { width, height } = imageSize(seed, id);
  const name = String(id).padStart(12, '0') + '.jpg';
  return (
    `{"license":1,"file_name":"${name}","coco_url":"http://images.cocodataset.org/train2017/${name}",` +
    `"height":${height},"width":${width},"date_captured":"2013-11-14 17:02:52",` +
    `"flickr_url":"http://farm4.staticflickr.com/3153/${name}","id":${id}}`
  );
}

function annotationsJson(seed: number, imageId: number, firstId: number): { text: string; count: number } {
  const rng = Rng.derive(seed, imageId, 1);
  const { width, height } = imageSize(seed, imageId);
  const count = rng.int(0, 14);
  const parts: string[] = [];
  for (let k = 0; k < count; k++) {
    const crowd = rng.chance(0.01);
    parts.push(annotationJson(rng, firstId + k + 1, imageId, width, height, crowd));
  }
  return { text: parts.join(','), count };
}

function annotationJson(rng: Rng, id: number, imageId: number, width: number, height: number, crowd: boolean): string {
  const w = round2(rng.uniform(2, width / 2));
  const h = round2(rng.uniform(2, height / 2));
  const x = round2(rng.uniform(0, width - w));
  const y = round2(rng.uniform(0, height - h));
  const segmentation = crowd ? rleJson(rng, width, height) : polygonJson(rng, x, y, w, h);
  return (
    `{"segmentation":${segmentation},"area":${w * h * rng.uniform(0.4, 0.9)},"iscrowd":${crowd ? 1 : 0},` +
    `"image_id":${imageId},"bbox":[${x},${y},${w},${h}],"category_id":${categoryId(rng.int(0, CATEGORY_COUNT - 1))},"id":${id}}`
  );
}

function polygonJson(rng: Rng, x: number, y: number, w: number, h: number): string {
  const points = rng.int(6, 40);
  const coords: number[] = [];
  for (let p = 0; p < points; p++) coords.push(round2(x + rng.float() * w), round2(y + rng.float() * h));
  return `[[${coords.join(',')}]]`;
}

function rleJson(rng: Rng, width: number, height: number): string {
  const runs: number[] = [];
  let left = width * height;
  while (left > 0) {
    const run = Math.min(left, rng.int(1, 4000));
    runs.push(run);
    left -= run;
  }
  return `{"counts":[${runs.join(',')}],"size":[${height},${width}]}`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Buffers small strings into ~1 MB writes and honours back-pressure. */
class ChunkWriter {
  private readonly stream;
  private pending: string[] = [];
  private pendingLength = 0;
  private bytes = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path);
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 20) await this.flush();
  }

  async close(): Promise<number> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    return this.bytes;
  }

  private async flush(): Promise<void> {
    const chunk = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
