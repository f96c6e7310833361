/**
 * Classification-loss forward and forward+backward on logits [8, 100000, 80] (a COCO-sized RetinaNet
 * batch: 8 images, ~100k anchors, 80 classes), per engine, as the detector calls it:
 * `retinaNetClassificationLoss` (focal, ~0.1% positive anchors, ~1% ignored), under `tf.grad`, as one
 * graph. Median of `reps` timed runs after one warm-up. The cpu engine takes about a minute per run
 * at this size, so it is timed once (`reps` = 1).
 *
 *   npx tsx bench/focal-loss.bench.ts [wasm] [cpu]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { retinaNetClassificationLoss } from '@retina/focal-loss';
import { median } from './common';

const [B, A, C] = [8, 100000, 80];
const REPS: Record<string, number> = { wasm: 3, cpu: 1 };

/** Seeded labels: ~0.1% positives of a random class, ~1% ignored, the rest background. */
function makeLabels(n: number): Int32Array {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Int32Array.from({ length: n }, () => {
    const r = rand();
    return r < 0.001 ? Math.floor(rand() * C) : r < 0.011 ? -2 : -1;
  });
}

function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const forward = (x: tf.Tensor, labels: Int32Array) => () => tf.tidy(() => void retinaNetClassificationLoss(x, labels).dataSync());
const forwardBackward = (x: tf.Tensor, labels: Int32Array) => () =>
  tf.tidy(() => void tf.grad((z: tf.Tensor) => retinaNetClassificationLoss(z, labels))(x).dataSync());


async function bench(backend: string): Promise<string> {
  if (!(await tf.setBackend(backend))) throw new Error(`engine ${backend} did not start`);
  const labels = makeLabels(B * A);
  const x = tf.randomNormal([B, A, C]);
  const reps = REPS[backend] ?? 1;
  forwardBackward(x, labels)();
  const fwd: number[] = [];
  const both: number[] = [];
  for (let r = 0; r < reps; r++) {
    fwd.push(timed(forward(x, labels)));
    both.push(timed(forwardBackward(x, labels)));
  }
  x.dispose();
  const ms = median(both);
  const perElement = (ms * 1e6) / (B * A * C);
  return `| ${backend} | [${B}, ${A}, ${C}] | ${reps} | ${median(fwd).toFixed(0)} | ${ms.toFixed(0)} | ${perElement.toFixed(1)} |`;
}

(async () => {
  const engines = process.argv.slice(2).length ? process.argv.slice(2) : ['wasm', 'cpu'];
  console.log('| engine | logits | reps | forward ms | forward+backward ms | ns per logit |\n| --- | --- | --- | --- | --- | --- |');
  for (const backend of engines) console.log(await bench(backend));
})();
