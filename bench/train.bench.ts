/**
 * `npm run bench:train`: images/s of detector train steps (forward + backward + the trainer's own
 * update: `@retina/optim`'s AdamW with retina-train's defaults) and inference per engine — wasm on one
 * thread, wasm data-parallel on every core — for the narrow backbone (the demo's model) and ResNet-50
 * at 256² and 512², the GFLOP/s that achieves (conv and matmul FLOPs counted from the kernels one step
 * runs), and the same model in PyTorch (torchvision RetinaNet, same machine, 1 and N threads; its step
 * ends with an SGD-momentum update) when Debian's python3-torch is installed. The tfjs cpu engine is
 * compared with wasm (one thread each) on the narrow model at 128², one image.
 * Flags: --quick (narrow at 256² only), --skip-cpu, --skip-torch, --skip-resnet50, --only=MODEL@SIZE (e.g. resnet50@512),
 * --norm=bn|frozen-bn|gn (the narrow backbone's norm; default batch-statistics BN).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallel, selectEngine, type EngineName } from '@retina/engine/node';
import { createOptimizer } from '@retina/optim';
import { REPLICA_MODULE, createRetinaNet, replicaOf, splitBatch, trainedVariables, type RetinaNetConfigInput } from '@retina/retinanet/node';
import { NARROW_DETECTOR, gradientStep, median, syntheticBatch } from './common';

const args = new Set(process.argv.slice(2));
const THREADS = availableParallelism();
/** Image size of the cpu-engine comparison (one step at 256² batch 4 takes minutes there). */
const CPU_SIZE = 128;
/** --norm=bn|frozen-bn|gn: the backbone's norm (default: the library's, batch-statistics BN). */
const NORM = process.argv.find((a) => a.startsWith('--norm='))?.slice('--norm='.length) as 'bn' | 'frozen-bn' | 'gn' | undefined;
/**
 * retina-train's update when no flag changes it (apps/train/src/cli.ts: --optimizer adamw,
 * --weight-decay 1e-4, --clip-grad 10; run-config.ts: DEFAULT_LR.adamw), at the peak learning rate.
 */
const TRAINER_UPDATE = { kind: 'adamw', lr: 1e-3, weightDecay: 1e-4, clipGradNorm: 10 } as const;
const MODELS: Record<string, RetinaNetConfigInput> = {
  narrow: NORM ? { ...NARROW_DETECTOR, backbone: { ...NARROW_DETECTOR.backbone, norm: NORM } } : NARROW_DETECTOR,
  resnet50: { numClasses: 1, seed: 0, backbone: { depth: 50 }, fpn: { channels: 256 }, head: { convs: 4, channels: 256 } },
};

/** FLOPs (multiply-add = 2) of the conv and matmul kernels that `f` runs, from their shapes. */
async function countFlops(f: () => void): Promise<number> {
  const info = await tf.profile(f);
  let flops = 0;
  for (const k of info.kernels) {
    const [a, b] = k.inputShapes as number[][];
    const out = k.outputShapes[0] as number[];
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    if (k.name === 'Conv2D' || k.name === 'FusedConv2D') flops += 2 * size(out) * b[0] * b[1] * b[2];
    else if (k.name === 'Conv2DBackpropInput') flops += 2 * size(a) * b[0] * b[1] * b[2]; // a = dy, b = filter
    else if (k.name === 'Conv2DBackpropFilter') flops += 2 * size(b) * out[0] * out[1] * out[2]; // b = dy, out = filter
    else if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') flops += 2 * size(out) * (a[a.length - 1] === out[out.length - 2] ? a[a.length - 2] : a[a.length - 1]);
  }
  return flops;
}

interface Measured {
  trainIps: number;
  /** Data-parallel over `threads` threads, timed in alternation with the single-thread steps. */
  parallelIps?: number;
  inferIps?: number;
  gflops: number;
  parallelGflops?: number;
}

/**
 * Train steps on one thread and, with threads > 1, data-parallel steps over `threads` threads, the two
 * alternated step by step (medians): the machine's speed drifts by tens of per cent between runs, and
 * alternation makes the speed-up column compare like with like.
 */
async function measure(engine: EngineName, model: string, size: number, batch: number, steps: number, threads: number): Promise<Measured> {
  await selectEngine({ backend: engine });
  const net = createRetinaNet(MODELS[model]);
  const data = syntheticBatch(size, batch);
  const local = replicaOf(net);
  const dp = threads > 1 ? await DataParallel.start(local, { module: REPLICA_MODULE, options: { config: net.config } }, { workers: threads - 1 }) : undefined;
  const shards = splitBatch(data, threads);
  const x = tf.tensor4d(data.images, [batch, size, size, 3]);
  // Both modes end with the trainer's update (gradient norm read back, clipping, AdamW), as its steps
  // do: fresh weights every step make every engine re-pack its conv filters, as real training does.
  const vars = trainedVariables(net);
  const { kind, lr, ...options } = TRAINER_UPDATE;
  const optimizer = createOptimizer(kind, { ...options, decays: (name) => net.weightDecayMask(name) });
  const update = async (grads: tf.NamedTensorMap) => {
    await optimizer.apply(vars, grads, lr);
    tf.dispose(Object.values(grads));
  };
  const localStep = async () => {
    const { value, grads } = tf.variableGrads(() => net.computeLosses(x, data.targets, { training: true }).total, vars);
    value.dataSync();
    value.dispose();
    await update(grads);
  };
  const parallelStep = async () => {
    if (dp) await update((await dp.gradients(shards)).grads);
  };
  const timed = async (f: () => unknown): Promise<number> => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  try {
    const flopsPerStep = await countFlops(gradientStep(net, x, data));
    await parallelStep();
    const one: number[] = [];
    const many: number[] = [];
    for (let i = 0; i < steps; i++) {
      one.push(await timed(localStep));
      if (dp) many.push(await timed(parallelStep));
    }
    const metas = data.targets.map(() => ({ scale: 1, originalHeight: size, originalWidth: size }));
    await net.predict(x, metas);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await net.predict(x, metas);
    const inferIps = (batch * steps * 1000) / (performance.now() - t0);
    const out: Measured = { trainIps: (batch * 1000) / median(one), inferIps, gflops: flopsPerStep / median(one) / 1e6 };
    if (dp) {
      out.parallelIps = (batch * 1000) / median(many);
      out.parallelGflops = flopsPerStep / median(many) / 1e6;
    }
    return out;
  } finally {
    await dp?.close();
    x.dispose();
    optimizer.dispose();
    net.dispose();
  }
}

interface TorchResult {
  train_images_per_s: number;
  infer_images_per_s: number;
}

function torch(model: string, size: number, batch: number, threads: number): TorchResult | undefined {
  if (args.has('--skip-torch')) return undefined;
  if (!existsSync('/usr/bin/python3')) return undefined;
  const depth = model === 'narrow' ? 'narrow' : '50';
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'peer/torch_step.py'), '--depth', depth, '--size', String(size), '--batch', String(batch), '--threads', String(threads), '--steps', model === 'narrow' ? '6' : '2'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`(PyTorch peer skipped: ${r.stderr.trim().split('\n').pop()})`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as TorchResult;
}

(async () => {
  const cases: [string, number, number, number][] = args.has('--quick')
    ? [['narrow', 256, 4, 4]]
    : [['narrow', 256, 4, 8], ['narrow', 512, 2, 4], ...(args.has('--skip-resnet50') ? [] : ([['resnet50', 256, 2, 2], ['resnet50', 512, 1, 1]] as [string, number, number, number][]))];
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only) cases.splice(0, cases.length, ...cases.filter(([m, size]) => `${m}@${size}` === only));
  console.log(`train-step benchmark: ${THREADS} cores, load average ${loadavg()[0].toFixed(1)}; train img/s = forward + backward + retina-train's update (${TRAINER_UPDATE.kind}, lr ${TRAINER_UPDATE.lr}, wd ${TRAINER_UPDATE.weightDecay}, clip ${TRAINER_UPDATE.clipGradNorm}), like PyTorch's step`);
  console.log(`| model | size | batch | engine | train img/s | GFLOP/s | infer img/s | speed-up from ${THREADS} threads | PyTorch train img/s (1 / ${THREADS} threads) | PyTorch infer img/s (${THREADS} threads) | train ratio to PyTorch (same threads) |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [model, size, batch, steps] of cases) {
    const ref1 = torch(model, size, batch, 1);
    const refN = torch(model, size, batch, THREADS);
    const threads = THREADS > 1 && batch > 1 ? Math.min(THREADS, batch) : 1;
    const engine: EngineName = 'wasm';
    const m = await measure(engine, model, size, batch, steps, threads);
    const refText = ref1 && refN ? `${ref1.train_images_per_s.toFixed(2)} / ${refN.train_images_per_s.toFixed(2)}` : '-';
    const ratio = (ips: number, ref?: TorchResult) => (ref ? `${(ips / ref.train_images_per_s).toFixed(2)}×` : '-');
    console.log(
      `| ${model} | ${size}² | ${batch} | ${engine} | ${m.trainIps.toFixed(2)} | ${m.gflops.toFixed(1)} | ${m.inferIps?.toFixed(2) ?? '-'} | - | ` +
        `${refText} | ${refN ? refN.infer_images_per_s.toFixed(2) : '-'} | ${ratio(m.trainIps, ref1)} |`,
    );
    if (m.parallelIps !== undefined && m.parallelGflops !== undefined) {
      console.log(
        `| ${model} | ${size}² | ${batch} | ${engine} × ${threads} threads | ${m.parallelIps.toFixed(2)} | ${m.parallelGflops.toFixed(1)} | - | ` +
          `**${(m.parallelIps / m.trainIps).toFixed(2)}×** | ${refText} | ${refN ? refN.infer_images_per_s.toFixed(2) : '-'} | ${ratio(m.parallelIps, refN)} |`,
      );
    }
  }
  if (!args.has('--skip-cpu')) {
    // The cpu engine takes minutes per step at 256² batch 4, so it is compared with wasm on a smaller
    // step (the same model at 128², one image), both on one thread.
    const [size, batch] = [CPU_SIZE, 1];
    const wasm = await measure('wasm', 'narrow', size, batch, 4, 1);
    const cpu = await measure('cpu', 'narrow', size, batch, 1, 1);
    console.log(`\n| model | size | batch | engine | train img/s | GFLOP/s | infer img/s | train speed-up over cpu |`);
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [engine, m] of [['cpu', cpu], ['wasm', wasm]] as const) {
      console.log(`| narrow | ${size}² | ${batch} | ${engine} | ${m.trainIps.toFixed(3)} | ${m.gflops.toFixed(2)} | ${m.inferIps?.toFixed(2) ?? '-'} | ${engine === 'cpu' ? '1×' : `**${(m.trainIps / cpu.trainIps).toFixed(1)}×**`} |`);
    }
  }
  console.log('PyTorch runs torchvision RetinaNet with the same model (narrow: ResNet-18 layout at width 32, FPN 64, 2×64 head convs; ResNet-50: FPN 256, 4×256 heads). Its step includes an SGD-momentum update (ours: AdamW).');
  console.log(`load average after: ${loadavg()[0].toFixed(1)}`);
})();
