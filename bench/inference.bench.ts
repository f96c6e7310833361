/**
 * Inference benchmark (retina-eval --model / predict): images/s of `RetinaNet.predict` (forward +
 * post-processing) at 512² per engine for the narrow model and ResNet-50, and the post-processing time
 * per image alone (score threshold, top-k per level, box decoding, class-wise NMS) for 1 and 80 classes
 * with realistic candidate counts: logits drawn so that ≈ 1% of anchor-class pairs pass 0.05.
 * `npx tsx bench/inference.bench.ts [--quick]`.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { anchorGrid, anchorsPerLevel } from '@retina/anchors';
import { selectEngine, type EngineName } from '@retina/engine/node';
import { createRetinaNet, postprocessImage, resolveRetinaNetConfig, type RetinaNetConfigInput } from '@retina/retinanet';
import { median } from './common';

const quick = process.argv.includes('--quick');
const MODELS: [string, RetinaNetConfigInput][] = [
  ['narrow-32', { numClasses: 1, seed: 1, backbone: { depth: 'narrow', width: 32 }, fpn: { channels: 64 }, head: { convs: 2, channels: 64 } }],
  ...(quick ? [] : ([['resnet-50', { numClasses: 1, seed: 1, backbone: { depth: 50 } }]] as [string, RetinaNetConfigInput][])),
];

const outputsAnchors = (numClasses: number): number => anchorGrid(512, 512, resolveRetinaNetConfig({ numClasses, backbone: { depth: 'narrow' } }).anchors).anchors.length / 4;

async function predictIps(engine: EngineName, config: RetinaNetConfigInput, size: number, batch: number, reps: number): Promise<number> {
  await selectEngine({ backend: engine });
  const net = createRetinaNet(config);
  const x = tf.randomUniform([batch, size, size, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
  const metas = Array.from({ length: batch }, () => ({ scale: 1, originalHeight: size, originalWidth: size }));
  try {
    await net.predict(x, metas);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await net.predict(x, metas);
      times.push(performance.now() - t0);
    }
    return (batch * 1000) / median(times);
  } finally {
    x.dispose();
    net.dispose();
  }
}

/** Post-processing of one 512² image with C classes: median ms over runs, and detections returned. */
function postprocessMs(numClasses: number): { ms: number; candidates: number; detections: number } {
  const cfg = resolveRetinaNetConfig({ numClasses, backbone: { depth: 'narrow' } });
  const grid = anchorGrid(512, 512, cfg.anchors);
  const levelCounts = anchorsPerLevel(512, 512, cfg.anchors);
  const a = grid.anchors.length / 4;
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  // logit −6 (p ≈ 0.0025) for most pairs; 1% get a logit in [−2.9, 3] (p in 0.05…0.95)
  const logits = Float32Array.from({ length: a * numClasses }, () => (rand() < 0.01 ? -2.9 + 5.9 * rand() : -6));
  const deltas = Float32Array.from({ length: a * 4 }, () => (rand() - 0.5) * 0.4);
  const candidates = logits.filter((v) => v > Math.log(0.05 / 0.95)).length;
  const meta = { scale: 1, originalHeight: 512, originalWidth: 512 };
  const outputs = { logits, deltas, anchors: grid.anchors, levelCounts, numClasses };
  let detections = postprocessImage(outputs, meta, cfg.postprocess).length;
  const times: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    detections = postprocessImage(outputs, meta, cfg.postprocess).length;
    times.push(performance.now() - t0);
  }
  return { ms: median(times), candidates, detections };
}

(async () => {
  console.log(`inference benchmark, load average ${loadavg()[0].toFixed(1)}`);
  console.log('| model | engine | input | batch | predict img/s (forward + post-processing) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, config] of MODELS) {
    for (const engine of (name === 'narrow-32' ? ['wasm', 'cpu'] : ['wasm']) as EngineName[]) {
      const ips = await predictIps(engine, config, 512, 2, engine === 'cpu' ? 1 : 3);
      console.log(`| ${name} | ${engine} | 512² | 2 | ${ips.toFixed(2)} |`);
    }
  }
  console.log('\n| post-processing, 512² input | anchors | candidates ≥ 0.05 | detections kept | ms per image |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const c of [1, 80]) {
    const r = postprocessMs(c);
    console.log(`| ${c} class${c > 1 ? 'es' : ''} | ${outputsAnchors(c)} | ${r.candidates} | ${r.detections} | ${r.ms.toFixed(2)} |`);
  }
})();
