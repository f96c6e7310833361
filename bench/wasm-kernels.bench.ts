/**
 * wasm training kernels benchmark: a 3×3 conv, 64→64 channels on 64×64 (batch 1 and 4), forward and
 * forward+backward, on the cpu engine (one repetition: slow) and on wasm with our kernels.
 * Targets (issue 9): wasm training ≥ 20× faster than the cpu engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerWasmTrainingKernels } from '@retina/engine/node';
import { median } from './common';

const [H, W, C] = [64, 64, 64];
const TRAINING_TARGET = 20;


function time(fn: () => void, reps: number): number {
  if (reps > 1) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Forward only, and forward + dx + dW of sum(conv(x, w) · r), data read back (dataSync) so the work is done. */
function convSteps(batch: number): { forward: () => void; training: () => void } {
  const x = tf.randomNormal([batch, H, W, C]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, C, C], 0, 0.05) as tf.Tensor4D;
  const r = tf.randomNormal([batch, H, W, C]);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), r)));
  return {
    forward: () => tf.tidy(() => void tf.conv2d(x, w, 1, 'same').dataSync()),
    training: () => tf.tidy(() => grads([x, w]).forEach((g) => g.dataSync())),
  };
}

/** Multiply-adds ×2 of the forward conv; a training step does 3× that (forward, dx, dW). */
const gflop = (batch: number, passes: number): number => (2 * batch * H * W * C * C * 9 * passes) / 1e9;

interface Row {
  engine: string;
  batch: number;
  forward: number;
  training: number;
}

async function measure(engine: string, batch: number, reps: number): Promise<Row> {
  await tf.setBackend(engine);
  const steps = convSteps(batch);
  return { engine, batch, forward: time(steps.forward, reps), training: time(steps.training, reps) };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const added = registerWasmTrainingKernels();
  const rows: Row[] = [await measure('cpu', 1, 1)];
  for (const batch of [1, 4]) rows.push(await measure('wasm', batch, 5));
  console.log(`wasm kernels registered: ${added.join(', ')}; SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}`);
  console.log('| engine | batch | forward ms | GFLOP/s | fwd+bwd ms | GFLOP/s | training vs cpu (b1) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const cpu = rows[0];
  for (const r of rows) {
    const speedup = (cpu.training * r.batch) / r.training;
    const verdict = r.engine === 'cpu' ? '' : `${speedup.toFixed(1)}× ${speedup >= TRAINING_TARGET ? 'PASS' : 'FAIL'} (≥ ${TRAINING_TARGET}×)`;
    console.log(
      `| ${r.engine} | ${r.batch} | ${r.forward.toFixed(1)} | ${(gflop(r.batch, 1) / (r.forward / 1e3)).toFixed(2)} | ` +
        `${r.training.toFixed(1)} | ${(gflop(r.batch, 3) / (r.training / 1e3)).toFixed(2)} | ${verdict} |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
