/**
 * Detector benchmark: forward and forward+backward (loss + gradients of every trainable variable) per
 * image, for the narrow backbone (width 32, FPN/head 64) and ResNet-50 (FPN/head 256), at 256², 512²
 * and 800×1333 (padded to 896×1408, multiples of 128), per engine. Plus the narrow training step the
 * trainer relies on: 320² (→ 384²) batch 4 on wasm, target ≤ 2 s.
 *
 * `npx tsx bench/detector.bench.ts [engines…]` (default: wasm cpu). A measurement whose estimate (from
 * the previous size, by pixel count) exceeds BUDGET_S is skipped and marked so. Median of REPS runs after
 * one warm-up run.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectEngine, type EngineName } from '@retina/engine/node';
import { createRetinaNet, type RetinaNet, type RetinaNetConfigInput } from '@retina/retinanet';
import { median } from './common';

const BUDGET_S = 40;
const REPS = 3;
const SIZES: [string, number, number][] = [
  ['256²', 256, 256],
  ['512²', 512, 512],
  ['800×1333', 896, 1408],
];
const MODELS: [string, RetinaNetConfigInput][] = [
  ['narrow-32', { numClasses: 1, seed: 1, backbone: { depth: 'narrow', width: 32 }, fpn: { channels: 64 }, head: { channels: 64 } }],
  ['resnet-50', { numClasses: 1, seed: 1, backbone: { depth: 50 } }],
];


async function timeIt(fn: () => Promise<void>, reps: number): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

function inputs(batch: number, h: number, w: number) {
  const images = tf.randomUniform([batch, h, w, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  const targets = Array.from({ length: batch }, () => ({ boxes: Float32Array.from([w * 0.2, h * 0.3, w * 0.6, h * 0.8]), labels: Int32Array.from([0]) }));
  return { images, targets };
}

async function forward(net: RetinaNet, images: tf.Tensor4D): Promise<void> {
  const out = net.forward(images);
  await out.logits.data();
  tf.dispose([out.logits, out.deltas]);
}

async function trainStep(net: RetinaNet, images: tf.Tensor4D, targets: ReturnType<typeof inputs>['targets']): Promise<void> {
  const { value, grads } = tf.variableGrads(() => net.computeLosses(images, targets).total, net.variables);
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
}

async function benchEngine(engine: EngineName, rows: string[]): Promise<void> {
  await selectEngine({ backend: engine });
  for (const [name, config] of MODELS) {
    const net = createRetinaNet(config);
    let estimate = { fwd: 0, train: 0, pixels: 1 };
    for (const [label, h, w] of SIZES) {
      const grow = (h * w) / estimate.pixels;
      const cells: string[] = [];
      const { images, targets } = inputs(1, h, w);
      for (const kind of ['fwd', 'train'] as const) {
        const est = (estimate[kind] * grow * (REPS + 1)) / 1000;
        if (est > BUDGET_S) {
          cells.push(`skipped (≈ ${((estimate[kind] * grow) / 1000).toFixed(0)} s)`);
          estimate[kind] *= grow;
          continue;
        }
        const ms = await timeIt(() => (kind === 'fwd' ? forward(net, images) : trainStep(net, images, targets)), REPS);
        estimate[kind] = ms;
        cells.push(ms.toFixed(0));
      }
      estimate = { ...estimate, pixels: h * w };
      tf.dispose(images);
      rows.push(`| ${engine} | ${name} | ${label} | ${cells.join(' | ')} |`);
    }
    net.dispose();
  }
}

async function narrowStep(rows: string[]): Promise<void> {
  await selectEngine({ backend: 'wasm' });
  const net = createRetinaNet(MODELS[0][1]);
  const { images, targets } = inputs(4, 384, 384);
  const ms = await timeIt(() => trainStep(net, images, targets), REPS);
  rows.push(`| wasm | narrow-32 train step, batch 4, 320² → 384² | ${ms.toFixed(0)} ms | ${ms <= 2000 ? 'PASS' : 'FAIL'} (≤ 2000 ms) |`);
  tf.dispose(images);
  net.dispose();
}

async function main(): Promise<void> {
  const engines = (process.argv.slice(2).length ? process.argv.slice(2) : ['wasm', 'cpu']) as EngineName[];
  const rows: string[] = [];
  for (const e of engines) await benchEngine(e, rows);
  const step: string[] = [];
  if (engines.includes('wasm')) await narrowStep(step);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2-core machine: wall times rise with load)`);
  console.log('| engine | model | input | forward ms / image | forward+backward ms / image |\n| --- | --- | --- | --- | --- |');
  rows.forEach((r) => console.log(r));
  if (step.length) console.log(`\n| engine | measurement | median | target |\n| --- | --- | --- | --- |\n${step.join('\n')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
