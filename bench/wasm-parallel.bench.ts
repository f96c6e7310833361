/**
 * Data-parallel wasm training (issue 9, part 2): a training step (forward + backward, gradients read
 * back) on one thread vs split over the calling thread + N − 1 worker threads (DataParallel), for
 * - the 3×3 conv 64→64 on 64×64 images, batch 4, and
 * - the demo detector (narrow ResNet-18/32, FPN 64, 2×64 heads), batch 4, 320 px → 384.
 * Target: ≥ 1.8× from 2 cores. `npm run bench -- wasm-parallel [threads]`; times are medians over steps.
 * Besides wall time the table gives the process CPU time per step: on a machine shared with other jobs
 * the wall-clock ratio understates the speed-up, while N · cpu(1 thread) / cpu(N threads) is what an
 * idle machine gives when the shards are balanced (it counts every overhead: copies, sync, contention).
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerWasmTrainingKernels } from '@retina/engine/node';
import { DataParallel } from '../libs/engine/src/wasm-kernels/parallel';
import { createReplica, type ImageShard, type ReplicaOptions } from './wasm-parallel.replica';
import { median } from './common';

const SPEEDUP_TARGET = 1.8;
const REPS = 5;
const THREADS = Number(process.argv[2] ?? availableParallelism());

interface Workload {
  name: string;
  options: ReplicaOptions;
  batch: number;
  size: number;
  channels: number;
}

const WORKLOADS: Workload[] = [
  { name: 'conv 3×3 64→64, 64×64', options: { model: 'conv', channels: 64 }, batch: 4, size: 64, channels: 64 },
  {
    name: 'detector (demo config), 384 px',
    options: { model: 'detector', config: { numClasses: 2, seed: 1, backbone: { depth: 'narrow', width: 32 }, fpn: { channels: 64 }, head: { channels: 64, convs: 2 } } },
    batch: 4,
    size: 384,
    channels: 3,
  },
];

/** Image i of the benchmark batch: smooth random pixels 0..255 and two boxes. */
function shardOf(w: Workload, first: number, count: number): ImageShard {
  const per = w.size * w.size * w.channels;
  const images = Float32Array.from({ length: count * per }, (_, i) => 127.5 * (1 + Math.sin((first * per + i) * 0.017)));
  const box = (k: number) => [20 + 30 * k, 30 + 20 * k, 170 + 40 * k, 190 + 30 * k];
  const targets = Array.from({ length: count }, (_, i) => ({ boxes: Float32Array.from([...box(first + i), ...box(first + i + 2)]), labels: Int32Array.from([0, 1]) }));
  return { images, batch: count, size: w.size, targets };
}

/** Splits the batch into `parts` shards of (nearly) equal size. */
function shards(w: Workload, parts: number): ImageShard[] {
  const out: ImageShard[] = [];
  for (let p = 0, first = 0; p < parts; p++) {
    const count = Math.floor(w.batch / parts) + (p < w.batch % parts ? 1 : 0);
    out.push(shardOf(w, first, count));
    first += count;
  }
  return out;
}


/** Median wall and process-CPU ms of a step over `threads` threads, after one warm-up step. */
async function stepMs(w: Workload, threads: number): Promise<{ wall: number; cpu: number }> {
  const local = createReplica(w.options);
  const dp = await DataParallel.start(local, { module: join(__dirname, 'wasm-parallel.replica.ts'), options: w.options }, { workers: threads - 1 });
  const batch = shards(w, threads);
  const wall: number[] = [];
  const cpu: number[] = [];
  try {
    for (let r = 0; r <= REPS; r++) {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      tf.dispose((await dp.gradients(batch)).grads);
      const c = process.cpuUsage(c0);
      if (r > 0) wall.push(performance.now() - t0);
      if (r > 0) cpu.push((c.user + c.system) / 1000);
    }
  } finally {
    await dp.close();
    tf.dispose([...local.trainable, ...(local.state ?? [])]);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  console.log(`wasm data-parallel training: 1 thread vs ${THREADS} (calling thread + ${THREADS - 1} workers); ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}`);
  console.log(`| workload | batch | 1 thread: wall ms / cpu ms | ${THREADS} threads: wall ms / cpu ms | wall speed-up | ${THREADS}·cpu₁/cpu${THREADS} | target ≥ ${SPEEDUP_TARGET}× |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const w of WORKLOADS) {
    const one = await stepMs(w, 1);
    const many = await stepMs(w, THREADS);
    const wall = one.wall / many.wall;
    const ideal = (THREADS * one.cpu) / many.cpu;
    const verdict = (x: number): string => (x >= SPEEDUP_TARGET ? 'PASS' : 'FAIL');
    console.log(
      `| ${w.name} | ${w.batch} | ${one.wall.toFixed(0)} / ${one.cpu.toFixed(0)} | ${many.wall.toFixed(0)} / ${many.cpu.toFixed(0)} | ` +
        `${wall.toFixed(2)}× | ${ideal.toFixed(2)}× | wall ${verdict(wall)}, cpu ${verdict(ideal)} |`,
    );
  }
  console.log(`load average after: ${loadavg()[0].toFixed(1)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
