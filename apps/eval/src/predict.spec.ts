import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectEngine, saveTensors } from '@retina/engine/node';
import { createRetinaNet, loadRetinaNet, saveRetinaNet } from '@retina/retinanet/node';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { parseCommandLine, run } from './cli';
import { BOX_COLORS, overlayLayout } from './draw';
import type { PredictOutput } from './predict';
import { predictExamples } from './predict';
import { capture, type Captured } from './__fixtures__/capture';


const CATEGORIES = [
  { id: 3, name: 'cat' },
  { id: 7, name: 'dog' },
];
const MAX_DETECTIONS = 3;
const SIZE_FLAGS = ['--image-size', '32', '--max-size', '64', '--backend', 'cpu', '--quiet'];

/** A test pattern: every pixel differs from its neighbours, so a drawn pixel cannot pass for the original. */
function pattern(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 37 + y * 11 + seed) % 256;
      data[i + 1] = (x * 13 + y * 29 + 2 * seed) % 256;
      data[i + 2] = (x * y + 3 * seed) % 256;
    }
  }
  return data;
}

/** In name order (the order predict takes a folder's images in). */
const IMAGES = [
  { name: 'tall.png', width: 40, height: 64, seed: 2 },
  { name: 'wide.png', width: 64, height: 48, seed: 1 },
];

let dir: string;
let model: string;
let images: string;
const pixels = new Map<string, Uint8Array>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-eval-predict-'));
  await selectEngine({ backend: 'cpu' });
  // Untrained, tiny; prior 0.5 makes every anchor score ≈ 0.5, so there are always detections.
  const net = createRetinaNet({
    numClasses: 2,
    categories: CATEGORIES,
    backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] },
    fpn: { channels: 8 },
    head: { channels: 8, convs: 1, prior: 0.5 },
    postprocess: { maxDetections: MAX_DETECTIONS },
  });
  model = join(dir, 'model');
  await saveRetinaNet(net, model);
  net.dispose();
  images = join(dir, 'images');
  mkdirSync(images);
  for (const im of IMAGES) {
    const data = pattern(im.width, im.height, im.seed);
    pixels.set(im.name, data);
    await sharp(Buffer.from(data), { raw: { width: im.width, height: im.height, channels: 3 } }).png().toFile(join(images, im.name));
  }
  writeFileSync(join(images, 'notes.txt'), 'not an image');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * The expected drawing, computed from the printed detections: the original pixels with each box's
 * 1-pixel outline (columns round(x1) … round(x2) − 1, rows likewise) in its class colour, the best
 * box painted last.
 */
function expectedPixels(original: Uint8Array, width: number, height: number, dets: PredictOutput['images'][number]['detections']): Uint8Array {
  const out = Uint8Array.from(original);
  for (const d of [...dets].reverse()) {
    const color = rgb(BOX_COLORS[CATEGORIES.findIndex((c) => c.id === d.categoryId)]);
    const l = clamp(Math.round(d.box[0]), 0, width - 1);
    const t = clamp(Math.round(d.box[1]), 0, height - 1);
    const r = clamp(Math.round(d.box[2]) - 1, l, width - 1);
    const b = clamp(Math.round(d.box[3]) - 1, t, height - 1);
    for (let y = t; y <= b; y++) {
      for (let x = l; x <= r; x++) {
        if (x === l || x === r || y === t || y === b) out.set(color, (y * width + x) * 3);
      }
    }
  }
  return out;
}

describe('retina-eval predict', () => {
  let output: PredictOutput;
  let io: Captured;
  const drawn = () => join(dir, 'drawn');

  beforeAll(async () => {
    io = capture();
    const out = join(dir, 'predictions.json');
    expect(await run(['predict', '--model', model, images, '--out', out, '--draw', drawn(), ...SIZE_FLAGS], io)).toBe(0);
    output = JSON.parse(readFileSync(out, 'utf8'));
  });

  it('writes one record per image of the folder (non-images ignored) with xyxy boxes inside the original image', () => {
    expect(output.boxFormat).toBe('xyxy');
    expect(output.scoreThreshold).toBe(0.3);
    expect(output.images.map((r) => [r.file, r.width, r.height])).toEqual(IMAGES.map((im) => [join(images, im.name), im.width, im.height]));
    for (const r of output.images) {
      expect(r.detections.length).toBeGreaterThanOrEqual(1);
      expect(r.detections.length).toBeLessThanOrEqual(MAX_DETECTIONS);
      for (const d of r.detections) {
        const [x1, y1, x2, y2] = d.box;
        expect(0 <= x1 && x1 < x2 && x2 <= r.width && 0 <= y1 && y1 < y2 && y2 <= r.height).toBe(true);
        expect(CATEGORIES).toContainEqual({ id: d.categoryId, name: d.category });
        expect(d.score).toBeGreaterThanOrEqual(0.3);
      }
      const scores = r.detections.map((d) => d.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    expect(io.stdout).toEqual(output.images.map((r) => expect.stringMatching(new RegExp(`^${r.file}: ${r.detections.length} detections? \\((cat|dog) 0\\.\\d\\d`))));
  });

  it.each(IMAGES.map((im) => [im.name]))('draws the printed boxes of %s in their class colours and leaves every other pixel as it was', async (name) => {
    const im = IMAGES.find((i) => i.name === name) as (typeof IMAGES)[number];
    const record = output.images.find((r) => r.file.endsWith(name)) as PredictOutput['images'][number];
    expect(record.drawn).toBe(join(drawn(), name));
    const png = PNG.sync.read(readFileSync(record.drawn as string));
    expect([png.width, png.height]).toEqual([im.width, im.height]);
    const expected = expectedPixels(pixels.get(name) as Uint8Array, im.width, im.height, record.detections);
    const size = { width: im.width, height: im.height };
    const labels = overlayLayout(record.detections.map((d) => ({ box: d.box, colorIndex: 0, caption: `${d.category} ${d.score.toFixed(2)}` })), size).labels.map((l) => l.rect);
    const inLabel = (x: number, y: number) => labels.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
    let compared = 0;
    let edgePixels = 0;
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        if (inLabel(x, y)) continue;
        const i = y * im.width + x;
        expect([x, y, ...png.data.subarray(4 * i, 4 * i + 3)]).toEqual([x, y, ...expected.subarray(3 * i, 3 * i + 3)]);
        compared++;
        if (expected[3 * i] !== (pixels.get(name) as Uint8Array)[3 * i]) edgePixels++;
      }
    }
    // Labels are large on a 64-pixel image; still, most pixels and dozens of edge pixels are checked.
    expect(compared).toBeGreaterThan(0.3 * im.width * im.height);
    expect(edgePixels).toBeGreaterThanOrEqual(20);
    // The label sits on a bar of the class colour (its 2-pixel left margin holds no text).
    const colorOf = (d: { categoryId: number }) => rgb(BOX_COLORS[CATEGORIES.findIndex((c) => c.id === d.categoryId)]);
    const top = labels[labels.length - 1]; // the best detection's label is painted last
    const i = top.y * im.width + top.x;
    expect([...png.data.subarray(4 * i, 4 * i + 3)]).toEqual(colorOf(record.detections[0]));
  });

  it('runs at the test size saved with the model unless --image-size / --max-size are given, and says which', async () => {
    const sized = join(dir, 'sized-model');
    const net = await loadRetinaNet(model, { testSize: { shortSide: 32, maxSize: 64 } });
    await saveRetinaNet(net, sized);
    net.dispose();
    const image = join(images, 'wide.png');
    const FLAGS = ['--backend', 'cpu', '--quiet'];
    const [given, saved, savedDefault] = [capture(), capture(), capture()];
    expect(await run(['predict', '--model', model, image, ...SIZE_FLAGS], given)).toBe(0);
    expect(await run(['predict', '--model', sized, image, ...FLAGS], saved)).toBe(0);
    expect(await run(['predict', '--model', model, image, ...FLAGS], savedDefault)).toBe(0);
    const boxes = (c: Captured) => (JSON.parse(c.stdout.join('\n')) as PredictOutput).images[0].detections;
    expect(boxes(saved)).toEqual(boxes(given));
    expect(boxes(savedDefault)).not.toEqual(boxes(given)); // 320 px by default: another input, other boxes
    expect(given.stderr).toContain('retina-eval: test size: shorter side 32 px, longer side at most 64 px (as given)');
    expect(saved.stderr).toContain('retina-eval: test size: shorter side 32 px, longer side at most 64 px (saved with the model)');
    expect(savedDefault.stderr).toContain('retina-eval: test size: shorter side 320 px, longer side at most 512 px (saved with the model)');
    const mixed = capture();
    expect(await run(['predict', '--model', sized, image, '--max-size', '40', ...FLAGS], mixed)).toBe(0);
    expect(mixed.stderr).toContain('retina-eval: test size: shorter side 32 px, longer side at most 40 px (one given, one saved with the model)');
  });

  it('prints the JSON on stdout without --out, and finds the same boxes as --model mode on a COCO file', async () => {
    const single = capture();
    expect(await run(['predict', '--model', model, join(images, 'wide.png'), ...SIZE_FLAGS], single)).toBe(0);
    const printed: PredictOutput = JSON.parse(single.stdout.join('\n'));
    const ann = join(dir, 'ann.json');
    writeFileSync(ann, JSON.stringify({
      images: [{ id: 1, file_name: 'wide.png', width: 64, height: 48 }],
      annotations: [{ id: 1, image_id: 1, category_id: 3, bbox: [4, 4, 20, 20], area: 400, iscrowd: 0 }],
      categories: CATEGORIES,
    }));
    const dt = join(dir, 'model-mode-dt.json');
    const report = join(dir, 'model-report');
    expect(await run(['--model', model, '--ann', ann, '--images', images, '--out', dt, '--batch-size', '1', '--report', report, ...SIZE_FLAGS], capture())).toBe(0);
    const coco = (JSON.parse(readFileSync(dt, 'utf8')) as { bbox: number[]; category_id: number; score: number }[]).filter((r) => r.score >= 0.3);
    const xyxy = coco.map((r) => [r.category_id, r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3], r.score]);
    const ours = printed.images[0].detections.map((d) => [d.categoryId, ...d.box, d.score]);
    expect(ours.length).toBe(xyxy.length);
    // predict resizes with @retina/image's resizeRgb (as the web page does), model mode inside sharp's
    // decode: the two differ by a level or two (libs/coco's resize-agreement.spec.ts), hundredths of a pixel here
    ours.forEach((row, k) => row.forEach((v, j) => expect(Math.abs(v - xyxy[k][j])).toBeLessThanOrEqual(0.02)));
    const written = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(written.classes.map((c: { name: string; numGt: number }) => [c.name, c.numGt])).toEqual([['cat', 1], ['dog', 0]]);
  });

  it('skips an undecodable image with --skip-bad-images and counts it', async () => {
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'this is not a PNG');
    const out = capture();
    expect(await run(['predict', '--model', model, bad, join(images, 'tall.png'), '--skip-bad-images', ...SIZE_FLAGS], out)).toBe(0);
    const printed: PredictOutput = JSON.parse(out.stdout.join('\n'));
    expect(printed.images.map((r) => r.file)).toEqual([join(images, 'tall.png')]);
    expect(printed.skipped).toEqual([{ file: bad, error: expect.stringMatching(/cannot decode image/) }]);
    expect(out.stderr.join('\n')).toMatch(/skipped 1 image\(s\) that failed to decode/);
  });

  it.each(predictExamples.map(([cmd]) => [cmd]))('accepts its own example: %s', async (cmd) => {
    await expect(parseCommandLine(cmd.split(' ').slice(1))).resolves.toHaveProperty('runner');
  });
});

describe('retina-eval predict errors (exit 2, one line on stderr)', () => {
  const corrupt = () => join(dir, 'corrupt-model');
  const foreign = () => join(dir, 'foreign-model');
  beforeAll(async () => {
    mkdirSync(corrupt());
    writeFileSync(join(corrupt(), 'model.json'), '{"weightsManifest": [');
    await saveTensors(foreign(), {}, { format: 'something-else/1' });
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'empty', 'readme.txt'), 'no images here');
    writeFileSync(join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]));
  });

  it.each([
    ['a missing model directory', () => ['--model', join(dir, 'no-model'), images], /no-model/],
    ['a corrupt model.json', () => ['--model', corrupt(), images], /corrupt-model.*model\.json/],
    ['a directory that is not a saved RetinaNet', () => ['--model', foreign(), images], /foreign-model\/model\.json: not a saved RetinaNet/],
    ['an image that fails to decode', () => ['--model', model, join(dir, 'broken.jpg')], /broken\.jpg: .*\(give --skip-bad-images to skip such files\)$/],
    ['a folder without images', () => ['--model', model, join(dir, 'empty')], /empty: no images in this folder \(looked for \.jpg, \.jpeg, \.png, \.webp/],
    ['a path that does not exist', () => ['--model', model, join(dir, 'nowhere.png')], /nowhere\.png: no such file or folder/],
    ['no images', () => ['--model', model], /Not enough non-option arguments/],
    ['no --model', () => [images], /Missing required argument: model/],
    ['a score threshold above 1', () => ['--model', model, images, '--score-threshold', '1.5'], /--score-threshold must be a number in \[0, 1\] \(got 1\.5\)/],
  ])('%s', async (_, argv, message) => {
    const io = capture();
    expect(await run(['predict', ...argv(), ...SIZE_FLAGS], io)).toBe(2);
    const errors = io.stderr.filter((l) => !/^retina-eval: (engine|test size): /.test(l));
    expect(errors).toEqual([expect.stringMatching(message)]);
    expect(errors[0]).toMatch(/^retina-eval: /);
    expect(io.stdout).toEqual([]);
  });
});
