/**
 * End to end, as users run it: retina-train in a child process on a tiny generated dataset —
 * train, checkpoint, interrupt (SIGINT), resume (same losses as an uninterrupted run), kill -9 at
 * random moments (the latest checkpoint always loads and --resume continues), and retina-eval on the
 * saved model.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadCheckpoint, loadCheckpointState } from './checkpoint';

const ROOT = join(__dirname, '../../..');
const TRAIN = join(__dirname, 'main.ts');
const EVAL = join(ROOT, 'apps/eval/src/main.ts');
const node = (script: string, args: string[]) => [process.execPath, ['--import', 'tsx', script, ...args]] as const;

let data: string;
let runs: string;

const trainArgs = (out: string, extra: string[] = []) => [
  '--train-ann', join(data, 'annotations/instances_train.json'),
  '--train-images', join(data, 'images'),
  '--val-ann', join(data, 'annotations/instances_val.json'),
  '--val-images', join(data, 'images'),
  '--out', out,
  '--backbone', 'narrow', '--width', '8', '--fpn-channels', '16', '--head-channels', '16', '--head-convs', '1',
  '--image-size', '128', '--max-size', '128', '--batch-size', '2', '--workers', '2',
  '--iterations', '8', '--warmup-iters', '2', '--eval-every', '2', '--backend', 'wasm', '--quiet', '--seed', '3',
  // AdamW, batch-statistics BN and an EMA that moves within 8 steps: all three must resume exactly
  '--optimizer', 'adamw', '--norm', 'bn', '--ema', '0.9', '--ema-tau', '2',
  ...extra,
];

const stepLosses = (run: string): Map<number, number> =>
  new Map(
    readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l))
      .filter((r) => r.kind === 'step')
      .map((r) => [r.iteration, r.loss]),
  );

/** `args` without the given flags and their values. */
const withoutFlags = (args: string[], flags: string[]): string[] => args.filter((a, i) => !flags.includes(a) && !flags.includes(args[i - 1]));

/** The weight bytes of a saved model (every shard, in name order). */
const modelBytes = (dir: string): Buffer =>
  Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.bin')).sort().map((f) => readFileSync(join(dir, f))));

function runSync(script: string, args: string[]) {
  const [cmd, argv] = node(script, args);
  return spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8' });
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  data = mkdtempSync(join(tmpdir(), 'retina-e2e-data-'));
  runs = mkdtempSync(join(tmpdir(), 'retina-e2e-runs-'));
  const gen = runSync(join(ROOT, 'tools/src/cli.ts'), ['generate', '--out', data, '--images', '10', '--size', '128', '--seed', '5', '--classes', '2', '--max-objects', '2', '--val-fraction', '0.4', '--rare-class-fraction', '0.3']);
  expect(gen.status).toBe(0);
});
afterAll(() => {
  rmSync(data, { recursive: true, force: true });
  rmSync(runs, { recursive: true, force: true });
});

describe('retina-train end to end', () => {
  it('trains, writes model/checkpoints/metrics/plots, and the model scores through retina-eval --model and --gt/--dt alike', () => {
    const out = join(runs, 'full');
    const r = runSync(TRAIN, trainArgs(out));
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    // the log on stderr, the result on stdout
    expect(r.stderr).toMatch(/engine: wasm/);
    expect(r.stderr).toMatch(/training on 2 threads/);
    expect(r.stdout).toMatch(/^done \(finished\): 8 iterations, best AP \d\.\d{4}\n  model: .*full\/model\n/);
    for (const f of ['model/model.json', 'checkpoints/last/model/model.json', 'checkpoints/last/trainer/model.json', 'metrics.jsonl', 'results.csv', 'plots/loss.png', 'plots/confusion.png', 'confusion.json']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    // the final validation's confusion matrix: every validation box is counted once in its class's column
    const confusion = JSON.parse(readFileSync(join(out, 'confusion.json'), 'utf8'));
    const valBoxes = JSON.parse(readFileSync(join(data, 'annotations/instances_val.json'), 'utf8')).annotations.filter((a: { iscrowd?: number }) => !a.iscrowd);
    const classes = confusion.classes.length;
    const gtCounted = confusion.matrix.reduce((sum: number, row: number[]) => sum + row.slice(0, classes).reduce((a, b) => a + b, 0), 0);
    expect(gtCounted).toBe(valBoxes.length);
    // validation loss per validation, in metrics.jsonl and results.csv
    const epochs = readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"kind":"epoch"')).map((l) => JSON.parse(l));
    expect(epochs.filter((e) => e.stats).every((e) => Number.isFinite(e.valLoss) && e.valLoss > 0)).toBe(true);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0]).toContain('val_loss');
    expect([...stepLosses(out).keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const evalJson = join(out, 'eval.json');
    const dt = join(out, 'dt.json');
    // the training size is saved with the model, and retina-eval uses it when no size is given
    expect(JSON.parse(readFileSync(join(out, 'model/model.json'), 'utf8')).userDefinedMetadata.config.testSize).toEqual({ shortSide: 128, maxSize: 128 });
    const e = runSync(EVAL, ['--model', join(out, 'model'), '--ann', join(data, 'annotations/instances_val.json'), '--images', join(data, 'images'), '--backend', 'wasm', '--out', dt, '--json', evalJson, '--quiet']);
    expect(e.stderr).not.toMatch(/internal error/);
    expect(e.stderr).toContain('test size: shorter side 128 px, longer side at most 128 px (saved with the model)');
    expect(e.status).toBe(0);
    const viaModel = JSON.parse(readFileSync(evalJson, 'utf8'));
    expect(viaModel.stats).toHaveLength(12);
    const rescored = join(out, 'eval2.json');
    if (JSON.parse(readFileSync(dt, 'utf8')).length > 0) {
      const s = runSync(EVAL, ['--gt', join(data, 'annotations/instances_val.json'), '--dt', dt, '--json', rescored]);
      expect(s.status).toBe(0);
      expect(JSON.parse(readFileSync(rescored, 'utf8')).stats).toEqual(viaModel.stats);
    }
  });

  it('is deterministic, and a run interrupted by SIGINT resumes to the same losses', async () => {
    const reference = stepLosses(join(runs, 'full'));
    const again = join(runs, 'again');
    expect(runSync(TRAIN, trainArgs(again)).status).toBe(0);
    expect([...stepLosses(again).entries()]).toEqual([...reference.entries()]);

    const out = join(runs, 'interrupted');
    const [cmd, argv] = node(TRAIN, trainArgs(out));
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: 'ignore' });
    const exited = waitExit(child);
    const timer = setInterval(() => {
      if (existsSync(join(out, 'metrics.jsonl')) && stepLosses(out).size >= 3) {
        child.kill('SIGINT');
        clearInterval(timer);
      }
    }, 50);
    const code = await exited;
    clearInterval(timer);
    expect([0, 130]).toContain(code);
    const stoppedAt = loadCheckpointState(out).iteration;
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(runSync(TRAIN, ['--resume', out, '--backend', 'wasm', '--quiet']).status).toBe(0);
    expect([...stepLosses(out).entries()]).toEqual([...reference.entries()]);
    // the saved model (EMA weights and batch-norm running statistics) is the uninterrupted run's, bit for bit
    expect(modelBytes(join(out, 'model')).equals(modelBytes(join(runs, 'full', 'model')))).toBe(true);
  });

  it('checkpoints hold the AdamW moments and step, the EMA and the batch-norm running statistics', async () => {
    const ck = await loadCheckpoint(join(runs, 'full'));
    const keys = Object.keys(ck.optimizerState);
    expect(keys).toContain('adamw/step');
    expect(keys).toContain('ema/updates');
    expect(keys.some((k) => k.startsWith('adamw/m/backbone/'))).toBe(true);
    expect(keys.some((k) => k.startsWith('ema/var/') && k.endsWith('/bn/variance'))).toBe(true);
    expect(ck.optimizerState['adamw/step'].dataSync()[0]).toBe(8);
    expect(ck.optimizerState['ema/updates'].dataSync()[0]).toBe(8);
    // batch statistics moved the running variance away from its initial 1
    const variance = ck.net.stateVariables.find((v) => v.name.endsWith('stem/bn/variance'))!;
    expect(Math.max(...[...variance.dataSync()].map((v) => Math.abs(v - 1)))).toBeGreaterThan(1e-3);
    ck.net.dispose();
    tf.dispose(Object.values(ck.optimizerState));
  });

  it('data-parallel steps (2 threads, the default here) give the losses of one thread', () => {
    const parallel = stepLosses(join(runs, 'full'));
    const out = join(runs, 'one-thread');
    const r = runSync(TRAIN, trainArgs(out, ['--threads', '1']));
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/training on \d+ threads/);
    const single = stepLosses(out);
    expect([...single.keys()]).toEqual([...parallel.keys()]);
    // float32 sums in another order; a shard without positive anchors counts 1 in the normalizer
    for (const [it, loss] of single) expect(Math.abs(parallel.get(it)! - loss)).toBeLessThan(2e-3 * Math.abs(loss));
  });

  it('survives kill -9 at random moments: the latest checkpoint always loads and --resume continues', async () => {
    const out = join(runs, 'killed');
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    let checkpointsSeen = 0;
    for (let trial = 0; trial < 10; trial++) {
      const args = existsSync(join(out, 'checkpoints')) && loadStateOrUndefined(out) ? ['--resume', out, '--backend', 'wasm', '--quiet'] : trainArgs(out);
      if (args[0] !== '--resume') rmSync(out, { recursive: true, force: true });
      const [cmd, argv] = node(TRAIN, args);
      const child = spawn(cmd, argv, { cwd: ROOT, stdio: 'ignore' });
      const exited = waitExit(child);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000 + rand() * 6000))]);
      child.kill('SIGKILL');
      await exited;
      if (loadStateOrUndefined(out)) {
        // the whole checkpoint (weights, optimizer buffers, trainer state) must load after every kill
        const ck = await loadCheckpoint(out);
        expect(ck.net.variables.length).toBeGreaterThan(0);
        expect(ck.state.iteration).toBeGreaterThanOrEqual(1);
        ck.net.dispose();
        tf.dispose(Object.values(ck.optimizerState));
        checkpointsSeen++;
      }
    }
    expect(checkpointsSeen).toBeGreaterThan(0);
    const final = runSync(TRAIN, loadStateOrUndefined(out) ? ['--resume', out, '--backend', 'wasm', '--quiet'] : trainArgs(out));
    expect(final.stderr).not.toMatch(/internal error/);
    expect(final.status).toBe(0);
    expect(loadCheckpointState(out).iteration).toBe(8);
    // killed and resumed any number of times: the losses and the saved model of the uninterrupted run
    expect([...stepLosses(out).entries()]).toEqual([...stepLosses(join(runs, 'full')).entries()]);
    expect(modelBytes(join(out, 'model')).equals(modelBytes(join(runs, 'full', 'model')))).toBe(true);
  }, 240000);

  it('a training set smaller than one batch exits 2 with one line instead of looping over empty epochs', () => {
    const out = join(runs, 'tiny');
    const r = runSync(TRAIN, [...withoutFlags(trainArgs(out), ['--batch-size']), '--max-images', '3', '--batch-size', '4']);
    expect(r.status).toBe(2);
    // the log (engine, data) precedes it on stderr; the error is one line, the last
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('retina-train:'))).toEqual([lines[lines.length - 1]]);
    expect(lines[lines.length - 1]).toMatch(/^retina-train: .*instances_train\.json: 3 training images make no full batch of 4\b.*use a smaller --batch-size/);
  });

  it('--patience N stops after N validations without a better AP', () => {
    const out = join(runs, 'patience');
    const args = withoutFlags(trainArgs(out), ['--iterations', '--eval-every', '--norm']);
    // weights that cannot move (lr 1e-12) and frozen BN statistics: the first validation's AP is never beaten
    const r = runSync(TRAIN, [...args, '--epochs', '6', '--eval-every', '1', '--lr', '1e-12', '--norm', 'frozen-bn', '--patience', '2']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/early stop: no better AP in 2 validations \(--patience 2\)/);
    expect(r.stdout).toMatch(/done \(patience\)/);
    expect(loadCheckpointState(out).epoch).toBe(3);
  });

  it('--time-limit: the schedule follows the clock and the last step runs at lr ≈ 0', () => {
    const out = join(runs, 'timed');
    const args = withoutFlags(trainArgs(out), ['--iterations']);
    const r = runSync(TRAIN, [...args, '--time-limit', '12', '--warmup-fraction', '0.1', '--lr', '1e-3', '--eval-every', '0']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/done \(time-limit\)/);
    const lrs = readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"kind":"step"')).map((l) => JSON.parse(l).lr as number);
    expect(lrs.length).toBeGreaterThan(5);
    expect(Math.max(...lrs)).toBeGreaterThan(0.5e-3);
    expect(lrs[lrs.length - 1]).toBeLessThan(0.1e-3);
  });
});

function loadStateOrUndefined(out: string) {
  try {
    return loadCheckpointState(out);
  } catch {
    return undefined;
  }
}
