/**
 * @retina/coco throughput and scale:
 * 1. images/s for decode + resize (shorter side 512) + flip + batch (8 per batch) on the raccoon
 *    photos, with the loader's concurrent sharp calls at several concurrencies, and with a piscina
 *    worker-thread pool doing the same work (to see whether worker threads add anything);
 * 2. time and peak RSS to load a generated COCO-like annotation file of ~450 MB (`--small`: ~45 MB),
 *    each load in a fresh child process so that its peak RSS is its own.
 * Targets: ≥ 30 images/s at 512 px on 2 cores; load ≤ 60 s and peak RSS ≤ 4 GB for 450 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Piscina from 'piscina';
import sharp from 'sharp';
import {
  collate,
  createDataLoader,
  loadCocoDataset,
  resizeScale,
  Rng,
  scaledSize,
  type CocoDataset,
  type DatasetImage,
} from '@retina/coco';
import { writeLargeAnnotationFile } from '../tools/src/large-annotations';
import type { DecodeTask } from './coco-decode.worker';

const SHORT_SIDE = 512;
const MAX_SIZE = 853; // 512 × 1333 / 800, torchvision's ratio
const BATCH = 8;
const IMAGES_PER_S_TARGET = 30;
const LOAD_TARGET_S = 60;
const RSS_TARGET_MB = 4096;

/** The original photos when this checkout has them; the bundled (≤ 384 px, so upscaled) copy otherwise. */
function raccoonRoot(): { root: string; note: string } {
  const shared = join(__dirname, '..', '..', 'shared', 'data', 'raccoon');
  if (existsSync(join(shared, 'annotations'))) return { root: shared, note: 'original raccoon photos (/work/shared)' };
  return { root: join(__dirname, '..', 'data', 'raccoon'), note: 'data/raccoon (≤ 384 px originals: upscaled to 512, not comparable)' };
}

async function loaderRate(ds: CocoDataset, workers: number): Promise<number> {
  const loader = createDataLoader(ds, { batchSize: BATCH, shortSide: SHORT_SIDE, maxSize: MAX_SIZE, hflip: 0.5, seed: 1, workers, prefetch: 2 });
  let warm = 0;
  for await (const b of loader.epoch(0)) warm += b.batchSize; // warms the file cache and sharp
  const start = performance.now();
  let n = 0;
  for await (const b of loader.epoch(1)) n += b.batchSize;
  if (n !== warm) throw new Error(`epochs differ in size: ${warm} vs ${n}`);
  return n / ((performance.now() - start) / 1000);
}

async function piscinaRate(images: readonly DatasetImage[], threads: number): Promise<number> {
  const pool = new Piscina({ filename: join(__dirname, 'coco-decode.worker.ts'), maxThreads: threads, minThreads: threads });
  const task = (im: DatasetImage): DecodeTask => {
    const size = scaledSize(im, resizeScale(im, SHORT_SIDE, MAX_SIZE));
    return { path: im.path, ...size, flip: Rng.derive(1, im.id).chance(0.5) };
  };
  const epoch = async (): Promise<number> => {
    let n = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < images.length; i += BATCH) {
      const batch = images.slice(i, i + BATCH);
      pending.push(
        Promise.all(batch.map((im) => pool.run(task(im)))).then((pixels) => {
          const samples = (pixels as Uint8Array[]).map((data, k) => ({
            imageId: batch[k].id, pixels: { data, ...task(batch[k]) }, boxes: new Float32Array(0), labels: new Int32Array(0), crowd: new Uint8Array(0),
            originalHeight: batch[k].height, originalWidth: batch[k].width, scale: 1, flipped: false, droppedBoxes: 0, warnings: [],
          }));
          n += collate(samples, 128).batchSize;
        }),
      );
      if (pending.length >= 3) await pending.shift();
    }
    await Promise.all(pending);
    return n;
  };
  await epoch();
  const start = performance.now();
  const n = await epoch();
  const rate = n / ((performance.now() - start) / 1000);
  await pool.destroy();
  return rate;
}

/** Child-process mode: load one file and print time and peak RSS as JSON. */
async function measureLoad(file: string, keepSegmentation: boolean): Promise<void> {
  const start = performance.now();
  const ds = await loadCocoDataset(file, tmpdir(), { checkFiles: false, keepSegmentation });
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, streamed: ds.stats.streamed }));
}

function loadInChild(file: string, keepSegmentation: boolean): { seconds: number; peakRssMb: number; streamed: boolean } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--measure-load', file, String(keepSegmentation)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`load child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padEnd(i === 0 ? 44 : 14)).join('');
}

async function main(): Promise<void> {
  const { root, note } = raccoonRoot();
  const ds = await loadCocoDataset(join(root, 'annotations', 'instances_train.json'), join(root, 'images'));
  console.log(`decode + resize (short side ${SHORT_SIDE}, max ${MAX_SIZE}) + flip + batch of ${BATCH}, ${ds.images.length} images: ${note}`);
  console.log(`cores: ${availableParallelism()}, UV_THREADPOOL_SIZE: ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, sharp threads/image: ${sharp.concurrency()}`);
  console.log(row(['variant', 'images/s', `target ≥ ${IMAGES_PER_S_TARGET}`]));
  for (const workers of [1, 2, 4, 8]) {
    const rate = await loaderRate(ds, workers);
    console.log(row([`loader, ${workers} concurrent sharp call(s)`, rate.toFixed(1), rate >= IMAGES_PER_S_TARGET ? 'ok' : 'MISS']));
  }
  for (const threads of [2, 4]) {
    const rate = await piscinaRate(ds.images, threads);
    console.log(row([`piscina, ${threads} worker threads`, rate.toFixed(1), rate >= IMAGES_PER_S_TARGET ? 'ok' : 'MISS']));
  }

  const small = process.argv.includes('--small');
  const targetBytes = small ? 45e6 : 450e6;
  const dir = mkdtempSync(join(tmpdir(), 'coco-bench-'));
  try {
    const file = join(dir, 'instances_large.json');
    const t0 = performance.now();
    const info = await writeLargeAnnotationFile(file, { targetBytes, seed: 0 });
    const genS = (performance.now() - t0) / 1000;
    console.log(`\nannotation file: ${(info.bytes / 1e6).toFixed(0)} MB, ${info.images} images, ${info.annotations} annotations (generated in ${genS.toFixed(1)} s)${small ? ' [--small]' : ''}`);
    console.log(row(['load', 'seconds', 'peak RSS MB', 'MB/s', 'target']));
    for (const keep of [true, false]) {
      const r = loadInChild(file, keep);
      const ok = r.seconds <= LOAD_TARGET_S * (small ? 0.1 : 1) && r.peakRssMb <= RSS_TARGET_MB;
      const reader = r.streamed ? 'streaming' : 'in-memory';
      console.log(row([`${reader} reader, keepSegmentation: ${keep}`, r.seconds.toFixed(1), r.peakRssMb.toFixed(0), (info.bytes / 1e6 / r.seconds).toFixed(0), ok ? 'ok' : 'MISS']));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const measure = process.argv.indexOf('--measure-load');
if (measure >= 0) measureLoad(process.argv[measure + 1], process.argv[measure + 2] === 'true');
else main();
