/**
 * `npm run bench:train`: images/s of detector train steps and inference per engine, for the narrow
 * backbone (the demo's model) and ResNet-50, at 256² and 512², next to PyTorch (torchvision
 * RetinaNet, same machine and threads) when Debian's python3-torch is installed.
 * Flags: --quick (narrow at 256² only), --skip-cpu, --skip-torch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectEngine, type EngineName } from '@retina/engine';
import { createRetinaNet, type RetinaNetConfigInput } from '@retina/retinanet';

const args = new Set(process.argv.slice(2));
const MODELS: Record<string, RetinaNetConfigInput> = {
  narrow: { numClasses: 1, seed: 0, backbone: { depth: 'narrow', width: 32 }, fpn: { channels: 64 }, head: { convs: 2, channels: 64 } },
  resnet50: { numClasses: 1, seed: 0, backbone: { depth: 50 }, fpn: { channels: 256 }, head: { convs: 4, channels: 256 } },
};

async function measure(engine: EngineName, model: string, size: number, batch: number, steps: number) {
  await selectEngine({ backend: engine });
  const net = createRetinaNet(MODELS[model]);
  const x = tf.randomUniform([batch, size, size, 3], 0, 255) as tf.Tensor4D;
  const targets = Array.from({ length: batch }, () => ({ boxes: Float32Array.from([20, 30, size / 2, size / 2 + 20]), labels: Int32Array.from([0]) }));
  const train = () => {
    const { value, grads } = tf.variableGrads(() => net.computeLosses(x, targets, { training: true }).total, net.variables);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const infer = async () => {
    await net.predict(x, targets.map(() => ({ scale: 1, originalHeight: size, originalWidth: size })));
  };
  train();
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) train();
  const trainIps = (batch * steps * 1000) / (performance.now() - t0);
  await infer();
  t0 = performance.now();
  for (let i = 0; i < steps; i++) await infer();
  const inferIps = (batch * steps * 1000) / (performance.now() - t0);
  x.dispose();
  net.dispose();
  return { trainIps, inferIps };
}

function torch(depth: string, size: number, batch: number): { train_images_per_s: number; infer_images_per_s: number } | undefined {
  if (args.has('--skip-torch') || !existsSync('/usr/bin/python3')) return undefined;
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'peer/torch_step.py'), '--depth', depth, '--size', String(size), '--batch', String(batch), '--threads', '2', '--steps', '2'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`(PyTorch peer skipped: ${r.stderr.trim().split('\n').pop()})`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

(async () => {
  const cases: [string, number, number, number][] = args.has('--quick')
    ? [['narrow', 256, 4, 2]]
    : [['narrow', 256, 4, 3], ['narrow', 512, 2, 2], ['resnet50', 256, 2, 1], ['resnet50', 512, 1, 1]];
  console.log('| engine | model | size | batch | train img/s | infer img/s | PyTorch train img/s (2 threads) | ratio |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [model, size, batch, steps] of cases) {
    const ref = torch(model === 'narrow' ? '18' : '50', size, batch);
    const engines: EngineName[] = args.has('--skip-cpu') || model !== 'narrow' || size > 256 ? ['wasm'] : ['wasm', 'cpu'];
    for (const engine of engines) {
      const m = await measure(engine, model, size, batch, engine === 'cpu' ? 1 : steps);
      const refTrain = ref ? ref.train_images_per_s.toFixed(2) : '-';
      const ratio = ref ? `${(m.trainIps / ref.train_images_per_s).toFixed(2)}×` : '-';
      console.log(`| ${engine} | ${model} | ${size}² | ${batch} | ${m.trainIps.toFixed(2)} | ${m.inferIps.toFixed(2)} | ${refTrain} (torch ResNet-${model === 'narrow' ? '18' : '50'}) | ${ratio} |`);
    }
  }
  console.log('PyTorch runs torchvision RetinaNet with a full-width ResNet-18 for the narrow row (the peer of the demo), ResNet-50 otherwise.');
})();
