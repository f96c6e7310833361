/**
 * Engine benchmark: auto selection (how long a CLI waits before its first tensor), then atomic save and
 * validated load of ResNet-18-sized weights (11.7 M float32, ≈ 47 MB in 12 shards) on the chosen engine.
 * Targets: selection ≤ 3 s (most of it: requiring the full @tensorflow/tfjs that tfjs-node(-gpu) pulls in), save ≤ 2 s, load ≤ 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadTensors, saveTensors, selectEngine } from '@retina/engine/node';

const PARAMS = 11_700_000;
const LAYERS = 60;

async function main(): Promise<void> {
  let t0 = performance.now();
  const attempts: [string, number][] = [];
  const engine = await selectEngine({ log: (l) => l.startsWith('trying engine ') && attempts.push([l.slice('trying engine '.length), performance.now()]) });
  const selectMs = performance.now() - t0;
  const attemptMs = attempts.map(([name, start], i) => [name, (attempts[i + 1]?.[1] ?? t0 + selectMs) - start] as const);
  const per = Math.ceil(PARAMS / LAYERS);
  const tensors = Object.fromEntries(Array.from({ length: LAYERS }, (_, i) => [`layer${i}/kernel`, tf.randomNormal([per])]));
  const mb = (PARAMS * 4) / 2 ** 20;
  const dir = mkdtempSync(join(tmpdir(), 'retina-engine-bench-'));
  const saves: number[] = [];
  const loads: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    t0 = performance.now();
    await saveTensors(join(dir, 'm'), tensors, { rep });
    saves.push(performance.now() - t0);
    t0 = performance.now();
    const back = await loadTensors(join(dir, 'm'));
    loads.push(performance.now() - t0);
    tf.dispose(Object.values(back.tensors));
  }
  rmSync(dir, { recursive: true, force: true });
  tf.dispose(Object.values(tensors));
  const best = (xs: number[]) => Math.min(...xs);
  const verdict = (ms: number, target: number) => `${ms <= target ? 'PASS' : 'FAIL'} (≤ ${target} ms)`;
  console.log(engine.describe());
  console.log('| step | size | best ms | MB/s | target |\n| --- | --- | --- | --- | --- |');
  console.log(`| selectEngine() auto | – | ${selectMs.toFixed(0)} | – | ${verdict(selectMs, 3000)} |`);
  for (const [name, ms] of attemptMs) console.log(`| … ${name} | – | ${ms.toFixed(0)} | – | |`);
  console.log(`| saveTensors (atomic, fsynced) | ${mb.toFixed(0)} MB | ${best(saves).toFixed(0)} | ${((mb / best(saves)) * 1000).toFixed(0)} | ${verdict(best(saves), 2000)} |`);
  console.log(`| loadTensors (validated) | ${mb.toFixed(0)} MB | ${best(loads).toFixed(0)} | ${((mb / best(loads)) * 1000).toFixed(0)} | ${verdict(best(loads), 1000)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
