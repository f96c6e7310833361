/**
 * `retina-eval predict --model RUN/model IMAGES...`: runs a trained detector on image files (no
 * annotations needed), prints or writes the detections as JSON and, with `--draw DIR`, writes each
 * image with its boxes drawn. Each image is decoded at full size (sharp) and goes through
 * @retina/retinanet's `detectImage`, the pre- and post-processing the web page runs too.
 */
import { basename, extname, join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { decodeImage, ImageDecodeError, readImageFile, type RgbImage } from '@retina/coco';
import { selectEngine } from '@retina/engine/node';
import { categoryTable, detectImage, loadRetinaNet, type RetinaNet, type ReportedDetection } from '@retina/retinanet/node';
import type { InferredOptionTypes, Options } from 'yargs';
import { drawBoxesPng } from './draw';
import { UserError } from '@retina/errors';
import { makeOutputDir, writeOutputFile } from './fs-utils';
import { listImageFiles } from './image-files';
import type { CliIo } from './io';
import { checkPositive, inferenceOptions, testSize, type TestSize } from './inference-options';

/** Flags of `retina-eval predict` (the images are positional). */
export const predictOptions = {
  model: { type: 'string', demandOption: true, requiresArg: true, describe: 'saved model directory (RUN/model of retina-train)' },
  out: { type: 'string', requiresArg: true, describe: 'write the detections JSON here (default: print it on stdout)' },
  draw: { type: 'string', requiresArg: true, describe: 'write each image with its boxes drawn into this folder, as <name>.png' },
  'score-threshold': { type: 'number', default: 0.3, requiresArg: true, describe: 'keep detections scoring at least this' },
  'skip-bad-images': { type: 'boolean', default: false, describe: 'skip images that fail to decode (counted) instead of stopping' },
  ...inferenceOptions(),
} as const satisfies Record<string, Options>;

export type PredictArgs = InferredOptionTypes<typeof predictOptions> & { images: string[] };

/** Example command lines of `predict` (`retina-eval` is `$0`). */
export const predictExamples: readonly [string, string][] = [
  ['$0 predict --model runs/demo/model data/raccoon/images/raccoon-1.jpg', 'print the detections of one image as JSON'],
  ['$0 predict --model runs/demo/model photos --out detections.json --draw drawn', 'every image of a folder: JSON file and drawn copies'],
  ['$0 predict --model runs/demo/model photos --score-threshold 0.5 --skip-bad-images', 'confident boxes only; skip unreadable files'],
];

/** Flag values yargs cannot check by itself; returns an error message or undefined. */
export function checkPredictArgs(args: Partial<PredictArgs>): string | undefined {
  const t = args['score-threshold'];
  if (t !== undefined && !(t >= 0 && t <= 1)) return `--score-threshold must be a number in [0, 1] (got ${t})`;
  return checkPositive(args, ['image-size', 'max-size']);
}

/** One detection: `box` is [x1, y1, x2, y2] (xyxy) in the original image's pixels, to 0.01 px; `score` to 1e-4. */
export type PredictedBox = ReportedDetection;

/** The detections of one image, best first. `width`/`height`: the image after EXIF orientation. */
export interface ImagePrediction {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly detections: PredictedBox[];
  /** The drawn copy (with --draw). */
  drawn?: string;
}

/** What `predict` prints or writes to --out. */
export interface PredictOutput {
  readonly model: string;
  readonly boxFormat: 'xyxy';
  readonly scoreThreshold: number;
  readonly images: ImagePrediction[];
  /** Images that failed to decode (with --skip-bad-images). */
  readonly skipped: { file: string; error: string }[];
}

interface Prediction {
  readonly record: ImagePrediction;
  readonly warnings: string[];
  /** The decoded pixels at full size, which --draw draws on. */
  readonly pixels: RgbImage;
}

async function predictImage(net: RetinaNet, path: string, args: PredictArgs, size: TestSize): Promise<Prediction> {
  const file = await readImageFile(path);
  const pixels = await decodeImage(file);
  const detections = await detectImage(net, pixels, { testSize: { shortSide: size.shortSide, maxSize: size.maxSize }, scoreThreshold: args['score-threshold'] });
  return { record: { file: path, width: file.width, height: file.height, detections }, warnings: pixels.warnings, pixels };
}

/** Names drawn copies `<name>.png`, then `<name>-2.png`, … so that none overwrites another or an input. */
function drawnNamer(dir: string, inputs: readonly string[]): (input: string) => string {
  const taken = new Set(inputs.map((f) => resolve(f)));
  return (input) => {
    const stem = basename(input, extname(input));
    for (let k = 1; ; k++) {
      const path = join(dir, k === 1 ? `${stem}.png` : `${stem}-${k}.png`);
      if (!taken.has(resolve(path))) {
        taken.add(resolve(path));
        return path;
      }
    }
  };
}

async function drawPrediction(record: ImagePrediction, pixels: RgbImage, path: string, category: ReturnType<typeof categoryTable>): Promise<void> {
  const boxes = record.detections.map((d) => ({ box: d.box, colorIndex: category(d.categoryId).index, caption: `${d.category} ${d.score.toFixed(2)}` }));
  await writeOutputFile(path, await drawBoxesPng(pixels, boxes));
}

function summaryLine(r: ImagePrediction): string {
  const shown = r.detections.slice(0, 5).map((d) => `${d.category} ${d.score.toFixed(2)}`);
  const more = r.detections.length > shown.length ? `, … ${r.detections.length - shown.length} more` : '';
  return `${r.file}: ${r.detections.length} detection${r.detections.length === 1 ? '' : 's'}${shown.length ? ` (${shown.join(', ')}${more})` : ''}`;
}

/** Runs `predict`; resolves to the exit status. */
export async function runPredict(args: PredictArgs, io: CliIo): Promise<number> {
  const files = await listImageFiles(args.images);
  const engine = await selectEngine({ backend: args.backend });
  io.err(`retina-eval: ${engine.describe()}`);
  const net = await loadRetinaNet(args.model);
  try {
    const size = testSize(args, net);
    io.err(`retina-eval: ${size.describe}`);
    const candidateThreshold = net.config.postprocess.scoreThresh;
    if (args['score-threshold'] < candidateThreshold) {
      io.err(`retina-eval: warning: the model drops candidates scoring below ${candidateThreshold} (postprocess.scoreThresh), so --score-threshold ${args['score-threshold']} keeps no more than that`);
    }
    if (args.draw !== undefined) await makeOutputDir(args.draw, '--draw');
    const category = categoryTable(net.config);
    const drawnPath = args.draw === undefined ? undefined : drawnNamer(args.draw, files);
    const output: PredictOutput = { model: args.model, boxFormat: 'xyxy', scoreThreshold: args['score-threshold'], images: [], skipped: [] };
    const bar = args.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'predict {bar} {value}/{total} images | ETA {eta_formatted}' }, Presets.shades_classic);
    bar?.start(files.length, 0);
    const t0 = performance.now();
    for (const file of files) {
      let prediction: Prediction;
      try {
        prediction = await predictImage(net, file, args, size);
      } catch (e) {
        if (!(e instanceof ImageDecodeError)) throw e;
        if (!args['skip-bad-images']) throw new UserError(`${e.message} (give --skip-bad-images to skip such files)`);
        io.err(`retina-eval: warning: skipped ${e.message}`);
        output.skipped.push({ file, error: e.reason });
        continue;
      } finally {
        bar?.increment();
      }
      prediction.warnings.forEach((w) => io.err(`retina-eval: warning: ${w}`));
      if (drawnPath !== undefined) {
        prediction.record.drawn = drawnPath(file);
        await drawPrediction(prediction.record, prediction.pixels, prediction.record.drawn, category);
      }
      output.images.push(prediction.record);
    }
    bar?.stop();
    if (output.images.length === 0) throw new UserError(`none of the ${files.length} images could be decoded`);
    const count = output.images.reduce((n, r) => n + r.detections.length, 0);
    const skipped = output.skipped.length ? `; skipped ${output.skipped.length} image(s) that failed to decode` : '';
    io.err(`retina-eval: ${count} detections on ${output.images.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s${skipped}`);
    const json = `${JSON.stringify(output, null, 2)}\n`;
    if (args.out === undefined) {
      io.out(json.trimEnd());
    } else {
      await writeOutputFile(args.out, json);
      output.images.forEach((r) => io.out(summaryLine(r)));
      io.err(`retina-eval: wrote ${args.out}`);
    }
    if (args.draw !== undefined) io.err(`retina-eval: drew ${output.images.length} images into ${args.draw}`);
    return 0;
  } finally {
    net.dispose();
  }
}
