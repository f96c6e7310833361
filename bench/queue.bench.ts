/**
 * `npm run bench -- queue`: what the queue costs and what workers buy, on this machine.
 * 1. Empty jobs (a worker that answers at once) through a local redis-server: one job per submission
 *    (connections included), and the time per job of 200 at once.
 * 2. `retina-eval --model … --queue` on the bundled validation split with 1, 2 and 4 worker processes
 *    (the built CLIs; `npm run build` first), next to the one-process run — cold (the workers load the
 *    model in their first job) and warm (a second run on the same workers) — checking that every run
 *    writes the one-process dt.json.
 * Flags: --model DIR (default runs/demo/model, from `npm run demo`), --job-size N (default 4), --batch-size N (4).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQueueUrl, runJobs, serveJobs, startRedisServer } from '@retina/queue';
import { median } from './common';

const ROOT = join(__dirname, '..');
const EVAL = join(ROOT, 'apps/eval/bin/retina-eval.js');
const VAL = join(ROOT, 'data/raccoon/annotations/instances_val.json');
const IMAGES = join(ROOT, 'data/raccoon/images');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function emptyJobs(url: string): Promise<void> {
  const address = parseQueueUrl(url);
  const server = await serveJobs<number, number>({ address, queue: 'bench-empty', run: async (n) => n });
  const single: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await runJobs([{ id: `one-${i}`, data: i }], { address, queue: 'bench-empty' });
    single.push(performance.now() - t0);
  }
  const n = 200;
  const t0 = performance.now();
  await runJobs(Array.from({ length: n }, (_, i) => ({ id: `many-${i}`, data: i })), { address, queue: 'bench-empty' });
  const perJob = (performance.now() - t0) / n;
  await server.close();
  console.log('| empty jobs, 1 worker (in this process) | ms |');
  console.log('| --- | ---: |');
  console.log(`| one job per submission (connect, add, run, collect, close), median of 20 | ${median(single).toFixed(1)} |`);
  console.log(`| per job, ${n} jobs in one submission | ${perJob.toFixed(2)} |`);
}

function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [EVAL, 'worker', '--queue', url, '--backend', 'wasm', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (d) => {
      text += String(d);
      if (text.includes('takes jobs')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${text}`)));
  });
}

function timedEval(args: string[]): { seconds: number; dt: string } {
  const out = mkdtempSync(join(tmpdir(), 'retina-bench-queue-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [EVAL, ...args, '--out', join(out, 'dt.json'), '--quiet'], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`retina-eval failed: ${r.stderr}`);
  const dt = readFileSync(join(out, 'dt.json'), 'utf8');
  rmSync(out, { recursive: true, force: true });
  return { seconds, dt };
}

async function shardedEval(url: string): Promise<void> {
  const model = flag('model', join(ROOT, 'runs/demo/model'));
  if (!existsSync(join(model, 'model.json'))) {
    console.log(`\n(no model at ${model}: run \`npm run demo\` or give --model DIR for the sharded-evaluation table)`);
    return;
  }
  const common = ['--model', model, '--ann', VAL, '--images', IMAGES, '--batch-size', flag('batch-size', '4')];
  const single = timedEval([...common, '--backend', 'wasm']);
  console.log(`\n| retina-eval --model, 40 images (${model}), job size ${flag('job-size', '4')} | cold s | warm s | same dt.json |`);
  console.log('| --- | ---: | ---: | --- |');
  console.log(`| one process (wasm; includes engine start and model load) | ${single.seconds.toFixed(2)} | | reference |`);
  for (const count of [1, 2, 4]) {
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker(url)));
    try {
      const sharded = [...common, '--queue', url, '--job-size', flag('job-size', '4')];
      const cold = timedEval(sharded);
      const warm = timedEval(sharded);
      console.log(`| ${count} worker process${count > 1 ? 'es' : ''} | ${cold.seconds.toFixed(2)} | ${warm.seconds.toFixed(2)} | ${cold.dt === single.dt && warm.dt === single.dt ? 'yes' : 'NO'} |`);
    } finally {
      workers.forEach((w) => w.kill('SIGTERM'));
    }
  }
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  try {
    await emptyJobs(redis.url);
    await shardedEval(redis.url);
  } finally {
    await redis.stop();
  }
}

void main();
