/**
 * Sweeps as jobs: the config and the plan by hand-written expectations; then a real redis-server and
 * two `retina-tools worker` processes training a two-run grid with the built retina-train, against a
 * run of the same flags trained directly (the reference), a re-submission that trains nothing, and a
 * worker killed (SIGKILL) mid-run whose run still completes on the other worker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup, startRedisServer, waitForStderr, type LocalRedis, type WatchedProcess } from '@retina/queue';
import { locateCli } from '../study/runner';
import { sweepConfig, SweepConfigError } from './config';
import { flagArgs, planRuns } from './plan';

const ROOT = join(__dirname, '../../..');
const CLI = join(ROOT, 'tools/src/cli.ts');
const RACCOON = join(ROOT, 'data/raccoon');

describe('sweep config and plan', () => {
  const config = sweepConfig({ base: { iterations: 5, 'anchor-sizes': [16, 32], ema: true }, grid: { lr: [0.1, 0.01], 'batch-size': [2, 4] } }, 'grid.yaml');

  it('one run per combination, the first grid flag varying slowest, each with every base flag', () => {
    const runs = planRuns(config);
    expect(runs.map((r) => r.values)).toEqual([
      { lr: 0.1, 'batch-size': 2 },
      { lr: 0.1, 'batch-size': 4 },
      { lr: 0.01, 'batch-size': 2 },
      { lr: 0.01, 'batch-size': 4 },
    ]);
    expect(runs[1].trainArgs).toEqual(['--iterations', '5', '--anchor-sizes', '16', '32', '--ema', '--lr', '0.1', '--batch-size', '4']);
    expect(config.name).toBe('grid');
  });

  it('run ids name the grid values and change with any flag, base included', () => {
    const ids = planRuns(config).map((r) => r.id);
    expect(ids[0]).toMatch(/^lr=0\.1,batch-size=2-[0-9a-f]{8}$/);
    expect(new Set(ids).size).toBe(4);
    expect(planRuns(config).map((r) => r.id)).toEqual(ids);
    const changed = sweepConfig({ base: { iterations: 6, 'anchor-sizes': [16, 32], ema: true }, grid: config.grid }, 'grid.yaml');
    expect(planRuns(changed).map((r) => r.id)).not.toContain(ids[0]);
  });

  it('booleans become --flag / --no-flag, lists several values', () => {
    expect(flagArgs({ ema: true, 'skip-nonfinite': false, 'anchor-ratios': [0.5, 1] })).toEqual(['--ema', '--no-skip-nonfinite', '--anchor-ratios', '0.5', '1']);
  });

  it.each([
    [{ base: { out: 'x' } }, /base\.out: set by the worker/],
    [{ grid: { lr: [] } }, /grid\.lr: must be a non-empty list/],
    [{ base: { lr: 1 }, grid: { lr: [2] } }, /grid\.lr: also in base/],
    [{ eval: { ann: 'v.json' } }, /eval\.images: required/],
    [{ base: { lr: { a: 1 } } }, /base\.lr: must be a number, a string/],
    [{ bases: {} }, /unknown key 'bases'/],
  ])('%j is refused naming the key', (doc, why) => {
    expect(() => sweepConfig(doc, 's.yaml')).toThrow(SweepConfigError);
    expect(() => sweepConfig(doc, 's.yaml')).toThrow(why);
  });
});

type Proc = WatchedProcess;

const processes = new ProcessGroup();
/** `retina-tools ARGS` from the sources. */
const start = (args: string[]): Proc => processes.startTs(ROOT, CLI, args);
const waitFor = waitForStderr;

/** `retina-tools sweep …` to completion. */
async function sweep(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = start(['sweep', ...args]);
  const status = await proc.exit;
  return { status, stdout: proc.stdout, stderr: proc.stderr };
}

const modelBytes = (dir: string): Buffer => Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.bin')).sort().map((f) => readFileSync(join(dir, f))));
const stepLosses = (file: string): number[] =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).filter((r) => r.kind === 'step').map((r) => r.loss);

describe('retina-tools sweep on a real redis-server with two workers', () => {
  let dir: string;
  let redis: LocalRedis;
  let workers: Proc[];
  const fast = ['--lock-duration', '2000', '--stalled-interval', '1000', '--max-stalled', '3'];
  const base = {
    'train-ann': join(RACCOON, 'annotations/instances_train.json'),
    'train-images': join(RACCOON, 'images'),
    backbone: 'narrow', width: 8, 'fpn-channels': 16, 'head-channels': 16, 'head-convs': 1,
    'image-size': 64, 'max-size': 96, 'batch-size': 2, iterations: 3, 'warmup-iters': 1,
    backend: 'wasm', threads: 1, quiet: true, seed: 4,
  };
  const evalFlags = { ann: join(RACCOON, 'annotations/instances_val.json'), images: join(RACCOON, 'images'), 'max-images': 4, backend: 'wasm', quiet: true };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retina-sweep-'));
    redis = await startRedisServer();
    workers = [0, 1].map(() => start(['worker', '--queue', redis.url, '--work-dir', join(dir, 'work'), ...fast]));
    await Promise.all(workers.map((w) => waitFor(w, /takes jobs of queue/)));
  });
  afterAll(async () => {
    await processes.killAll();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains each run of the grid once, uploads its results, and tabulates them; a re-submission trains nothing', async () => {
    const file = join(dir, 'lr.json');
    writeFileSync(file, JSON.stringify({ name: 'lr', base, grid: { lr: [0.01, 0.001] }, eval: evalFlags }));
    const out = join(dir, 'results');
    const first = await sweep([file, '--queue', redis.url, '--out', out]);
    expect(first.stderr).toMatch(/2 runs, 0 already in .*, 2 to train/);
    expect(first.status).toBe(0);
    const runs = planRuns(sweepConfig(JSON.parse(readFileSync(file, 'utf8')), file));
    const table = first.stdout.trim().split('\n');
    expect(table).toHaveLength(2 + runs.length);
    for (const [i, run] of runs.entries()) {
      const results = join(out, 'runs', run.id);
      for (const f of ['metrics.jsonl', 'eval.json', 'model/model.json', 'result.json']) expect(existsSync(join(results, f))).toBe(true);
      const ap = JSON.parse(readFileSync(join(results, 'eval.json'), 'utf8')).stats[0];
      const losses = stepLosses(join(results, 'metrics.jsonl'));
      const cells = table[2 + i].split('|').map((c) => c.trim());
      expect(cells.slice(1, 6)).toEqual([run.id, String(run.values.lr), '3', losses[losses.length - 1].toFixed(4), ap.toFixed(3)]);
    }
    // the same flags trained directly, without the queue: same losses, same weights
    const reference = join(dir, 'direct');
    const direct = spawnSync(process.execPath, [locateCli('retina-train', __dirname), ...runs[0].trainArgs, '--out', reference], { cwd: ROOT, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(stepLosses(join(out, 'runs', runs[0].id, 'metrics.jsonl'))).toEqual(stepLosses(join(reference, 'metrics.jsonl')));
    expect(modelBytes(join(out, 'runs', runs[0].id, 'model')).equals(modelBytes(join(reference, 'model')))).toBe(true);

    const again = await sweep([file, '--queue', redis.url, '--out', out]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/2 runs, 2 already in .*, 0 to train/);
    expect(again.stdout).toBe(first.stdout);
  });

  it('a worker killed (SIGKILL) mid-run loses nothing: the run trains again on the other worker', async () => {
    const file = join(dir, 'seed.json');
    const unseeded = Object.fromEntries(Object.entries(base).filter(([flag]) => flag !== 'seed'));
    writeFileSync(file, JSON.stringify({ base: { ...unseeded, iterations: 6 }, grid: { seed: [7] } }));
    const out = join(dir, 'killed');
    const offsets = workers.map((w) => w.stderr.length);
    const submit = sweep([file, '--queue', redis.url, '--out', out]);
    const gaveUp = submit.then((r) => Promise.reject(new Error(`the sweep ended before a worker started: ${r.stderr}`)));
    const victimIndex = await Promise.race([gaveUp, ...workers.map((w, i) => waitFor(w, /job \S+: training /, offsets[i]).then(() => i))]);
    workers[victimIndex].child.kill('SIGKILL');
    const survivor = workers[1 - victimIndex];
    await waitFor(survivor, /training seed=7-\S+ \(start 2/, offsets[1 - victimIndex]);
    const result = await submit;
    expect(result.status).toBe(0);
    const [run] = planRuns(sweepConfig(JSON.parse(readFileSync(file, 'utf8')), file));
    expect(JSON.parse(readFileSync(join(out, 'runs', run.id, 'result.json'), 'utf8')).worker).toMatch(new RegExp(`:${survivor.child.pid}$`));
  });
});
