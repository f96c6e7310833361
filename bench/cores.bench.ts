/**
 * `npx tsx bench/cores.bench.ts`: how much a second core can give on this machine, and how much of it
 * data-parallel training gets.
 *
 *  1. ceiling, compute-bound: an XNNPACK matmul that fits in L2 (256³), one process alone vs one process
 *     per core at once → scaling = N · t_alone / t_together (2.0 on two real cores);
 *  2. ceiling, our workload: the single-thread train step of the demo detector on one shard (batch / N
 *     images) in one process alone vs one process per core at once — what N independent trainers
 *     would get, memory-bandwidth and cache contention included;
 *  3. DataParallel: the whole batch on one thread vs split over N threads (DataParallel), the two
 *     alternated step by step in one process so that drift in the machine's speed hits both alike.
 *
 * Each phase of (1) and (2) runs alone → together → alone → together; figures are medians.
 * Flags: --size=256 --batch=4 --seconds=8 (per phase) --pairs=8 (of step (3)).
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallel, selectEngine } from '@retina/engine/node';
import { REPLICA_MODULE, createRetinaNet, replicaOf, splitBatch } from '@retina/retinanet/node';
import { NARROW_DETECTOR, gradientStep, median, syntheticBatch } from './common';

const flag = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SIZE = flag('size', 256);
const BATCH = flag('batch', 4);
const SECONDS = flag('seconds', 8);
const PAIRS = flag('pairs', 8);
const CORES = availableParallelism();

/** A repeatable unit of work on the current thread: matmul 256³ or one train step of a shard. */
async function workload(kind: string, shardImages: number): Promise<() => void> {
  await selectEngine({ backend: 'wasm' });
  if (kind === 'matmul') {
    const a = tf.randomNormal([256, 256]);
    const b = tf.randomNormal([256, 256]);
    return () => tf.tidy(() => void tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).dataSync());
  }
  const net = createRetinaNet(NARROW_DETECTOR);
  const data = syntheticBatch(SIZE, shardImages);
  return gradientStep(net, tf.tensor4d(data.images, [shardImages, SIZE, SIZE, 3]), data);
}

/** Child process: warm up, report ready, on 'go' repeat the work for SECONDS, report the step times. */
async function child(kind: string, shardImages: number): Promise<void> {
  const work = await workload(kind, shardImages);
  for (let i = 0; i < (kind === 'matmul' ? 50 : 2); i++) work();
  process.send?.({ ready: true });
  process.once('message', () => {
    const times: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      const t = performance.now();
      work();
      times.push(performance.now() - t);
    }
    process.send?.({ times }, () => process.exit(0));
  });
}

/** Runs `count` children at once (started together once all are warm); median step time of each. */
async function phase(kind: string, shardImages: number, count: number): Promise<number[]> {
  const children = Array.from({ length: count }, () => fork(__filename, ['--child', kind, String(shardImages), `--seconds=${SECONDS}`, `--size=${SIZE}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const ready = children.map((c) => new Promise<void>((resolve) => c.once('message', () => resolve())));
  await Promise.all(ready);
  const done = children.map((c) => new Promise<number[]>((resolve) => c.once('message', (m: { times: number[] }) => resolve(m.times))));
  children.forEach((c) => c.send('go'));
  return (await Promise.all(done)).map(median);
}

async function ceiling(kind: string, shardImages: number): Promise<{ alone: number; together: number; scaling: number }> {
  const alone: number[] = [];
  const together: number[] = [];
  for (let round = 0; round < 2; round++) {
    alone.push(...(await phase(kind, shardImages, 1)));
    together.push(...(await phase(kind, shardImages, CORES)));
  }
  const a = median(alone);
  const t = median(together);
  return { alone: a, together: t, scaling: (CORES * a) / t };
}

/** Whole batch on this thread vs DataParallel over every core, alternated step by step. */
async function dataParallel(): Promise<{ solo: number; parallel: number; speedup: number }> {
  await selectEngine({ backend: 'wasm' });
  const net = createRetinaNet(NARROW_DETECTOR);
  const data = syntheticBatch(SIZE, BATCH);
  const x = tf.tensor4d(data.images, [BATCH, SIZE, SIZE, 3]);
  const dp = await DataParallel.start(replicaOf(net), { module: REPLICA_MODULE, options: { config: net.config } }, { workers: CORES - 1 });
  const shards = splitBatch(data, CORES);
  const solo = gradientStep(net, x, data);
  const parallel = async (): Promise<void> => tf.dispose(Object.values((await dp.gradients(shards)).grads));
  try {
    for (let i = 0; i < 2; i++) {
      solo();
      await parallel();
    }
    const s: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      let t = performance.now();
      solo();
      s.push(performance.now() - t);
      t = performance.now();
      await parallel();
      p.push(performance.now() - t);
    }
    return { solo: median(s), parallel: median(p), speedup: median(s) / median(p) };
  } finally {
    await dp.close();
    x.dispose();
    net.dispose();
  }
}

async function main(): Promise<void> {
  if (CORES < 2) {
    console.log('one core: nothing to measure');
    return;
  }
  const shard = Math.max(1, Math.floor(BATCH / CORES));
  console.log(`cores benchmark: ${CORES} cores, load average ${loadavg()[0].toFixed(1)}; narrow detector ${SIZE}², batch ${BATCH} (${shard} per core); ${SECONDS} s per phase`);
  const mm = await ceiling('matmul', 0);
  const step = await ceiling('step', shard);
  const dp = await dataParallel();
  console.log(`| measurement | 1 core: ms | ${CORES} cores: ms | scaling |`);
  console.log('| --- | --- | --- | --- |');
  console.log(`| ceiling: matmul 256³ (compute-bound), ${CORES} processes | ${mm.alone.toFixed(2)} | ${mm.together.toFixed(2)} per process | ${mm.scaling.toFixed(2)}× |`);
  console.log(`| ceiling: train step of ${shard} image(s), ${CORES} independent processes | ${step.alone.toFixed(0)} | ${step.together.toFixed(0)} per process | ${step.scaling.toFixed(2)}× |`);
  console.log(`| DataParallel: train step of ${BATCH} images, ${CORES} threads | ${dp.solo.toFixed(0)} | ${dp.parallel.toFixed(0)} | **${dp.speedup.toFixed(2)}×** (${((100 * dp.speedup) / step.scaling).toFixed(0)} % of the workload's ceiling) |`);
  console.log(`load average after: ${loadavg()[0].toFixed(1)}`);
}

const at = process.argv.indexOf('--child');
if (at >= 0) void child(process.argv[at + 1], Number(process.argv[at + 2]));
else
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
