/**
 * Sharded evaluation on a real cluster in miniature: a redis-server, three `retina-eval worker`
 * processes, and a model trained here for a few steps on data/raccoon. The one-process run's files
 * are the reference: the sharded run must write the same bytes — also when a worker is killed
 * (SIGKILL) in the middle of a job.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ProcessGroup, startRedisServer, waitForStderr, type LocalRedis, type WatchedProcess } from '@retina/queue';
import { parseCommandLine, run } from '../cli';
import { capture } from '../__fixtures__/capture';
import { workerExamples } from './worker-command';

const ROOT = join(__dirname, '../../../..');
const EVAL = join(ROOT, 'apps/eval/src/main.ts');
const TRAIN = join(ROOT, 'apps/train/src/main.ts');
const RACCOON = join(ROOT, 'data/raccoon');
const VAL = join(RACCOON, 'annotations/instances_val.json');
const IMAGES = join(RACCOON, 'images');
/** Short enough that a killed worker's job is back on the queue within about 3 s. */
const FAST_RECOVERY = ['--lock-duration', '2000', '--stalled-interval', '1000', '--max-stalled', '3'];

type Proc = WatchedProcess;

/** Every process started here, stopped after the tests. */
const processes = new ProcessGroup();
/** Starts a CLI from the sources, as users run it. */
const start = (script: string, args: string[]): Proc => processes.startTs(ROOT, script, args);
const waitFor = waitForStderr;

/** Kills (SIGKILL) the first worker that starts a job from now on, as soon as it says so; resolves to it and the job's id. */
function killFirstToStart(candidates: readonly Proc[]): Promise<{ victim: Proc; job: string }> {
  return new Promise((resolve) => {
    let killed = false;
    for (const w of candidates) {
      void waitFor(w, /job (eval-\S+): \d+ images\n/, w.stderr.length).then(([, job]) => {
        if (killed) return;
        killed = true;
        w.child.kill('SIGKILL');
        resolve({ victim: w, job });
      }, () => undefined);
    }
  });
}

let dir: string;
let redis: LocalRedis;
let model: string;
let workers: Proc[] = [];
let reference: { dt: string; eval: string; stdout: string };

/** `--model` mode on the validation split, 2 images a batch, results into `out`. */
const evalArgs = (out: string, images = IMAGES, net = model): string[] => [
  '--model', net, '--ann', VAL, '--images', images, '--batch-size', '2', '--quiet', '--out', join(out, 'dt.json'), '--json', join(out, 'eval.json'),
];
/** The same on the queue's workers, 4 images (2 batches) a job unless `jobSize` says otherwise. */
const sharded = (out: string, images = IMAGES, net = model, jobSize = '4'): string[] => [...evalArgs(out, images, net), '--queue', redis.url, '--job-size', jobSize];
const startWorker = (): Proc => start(EVAL, ['worker', '--queue', redis.url, '--backend', 'wasm', ...FAST_RECOVERY]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-cluster-'));
  redis = await startRedisServer();
  const train = start(TRAIN, [
    '--train-ann', join(RACCOON, 'annotations/instances_train.json'), '--train-images', IMAGES, '--out', join(dir, 'run'),
    '--backbone', 'narrow', '--width', '8', '--fpn-channels', '16', '--head-channels', '16', '--head-convs', '1',
    '--image-size', '96', '--max-size', '128', '--batch-size', '2', '--iterations', '30', '--warmup-iters', '1', '--lr', '0.01',
    '--backend', 'wasm', '--threads', '1', '--quiet', '--seed', '1',
  ]);
  workers = [startWorker(), startWorker(), startWorker()];
  expect(await train.exit).toBe(0);
  model = join(dir, 'run/model');
  const single = start(EVAL, [...evalArgs(mkdirOut('single')), '--backend', 'wasm']);
  expect(await single.exit).toBe(0);
  reference = { dt: read('single/dt.json'), eval: read('single/eval.json'), stdout: single.stdout };
  await Promise.all(workers.map((w) => waitFor(w, /takes jobs of queue/)));
}, 120000);

afterAll(async () => {
  await processes.killAll();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function mkdirOut(name: string): string {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  return out;
}
const read = (path: string): string => readFileSync(join(dir, path), 'utf8');
/** The `host:pid` a line of the submitter names as the worker. */
const workerName = (lines: readonly string[]): string => lines.map((l) => l.match(/\(on worker (\S+:\d+)\)$/)?.[1]).find(Boolean) ?? '(none)';

describe('retina-eval --model … --queue (3 worker processes, real Redis)', () => {
  it('writes the dt.json and eval.json of the one-process run, byte for byte, and prints the same summary', async () => {
    const submit = start(EVAL, sharded(mkdirOut('sharded')));
    expect(await submit.exit).toBe(0);
    expect(read('sharded/dt.json')).toBe(reference.dt);
    expect(read('sharded/eval.json')).toBe(reference.eval);
    expect(submit.stdout).toBe(reference.stdout);
    const [, jobs, used] = submit.stderr.match(/\((\d+) jobs on (\d+) workers; engine wasm\)/) ?? [];
    expect(Number(jobs)).toBe(10); // 40 images, 4 a job
    expect(Number(used)).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(reference.dt).length).toBeGreaterThan(0);
  });

  it('loses nothing when a worker is killed (SIGKILL) mid-job: its job runs again on another worker, same bytes', async () => {
    // a copy of the model, so that every worker's first job also loads it: a job long enough to be killed in
    cpSync(model, join(dir, 'model-copy'), { recursive: true });
    const killed = killFirstToStart(workers);
    const submit = start(EVAL, sharded(mkdirOut('killed'), IMAGES, join(dir, 'model-copy'), '8'));
    const { victim, job } = await killed;
    expect(await submit.exit).toBe(0);
    expect(read('killed/dt.json')).toBe(reference.dt);
    expect(read('killed/eval.json')).toBe(reference.eval);
    const survivors = workers.filter((w) => w !== victim);
    expect(survivors.map((w) => w.stderr).join('')).toMatch(new RegExp(`job ${job}: \\d+ images, start 2`));
    expect(victim.stderr).not.toMatch(new RegExp(`job ${job}: \\d+ detections`));
    workers = [...survivors, startWorker()];
  });

  it('reads a model given as an http URL (workers download it): same bytes', async () => {
    const server = createServer((req, res) => {
      const file = join(model, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/model\//, ''));
      if (!file.startsWith(model) || !existsSync(file)) return void res.writeHead(404).end();
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const submit = start(EVAL, sharded(mkdirOut('url'), IMAGES, `http://127.0.0.1:${port}/model`));
      expect([await submit.exit, submit.stderr]).toEqual([0, expect.anything()]);
      expect(read('url/dt.json')).toBe(reference.dt);
      expect(read('url/eval.json')).toBe(reference.eval);
    } finally {
      server.close();
    }
  });

  it('reports an image a worker cannot read once, as the one-process run words it, naming the worker, and exits 2', async () => {
    const images = mkdirOut('broken-images');
    const ann = JSON.parse(readFileSync(VAL, 'utf8'));
    const broken = ann.images[5].file_name;
    for (const im of ann.images) copyFileSync(join(IMAGES, im.file_name), join(images, im.file_name));
    writeFileSync(join(images, broken), 'not a JPEG');
    const [one, submit] = [start(EVAL, [...evalArgs(mkdirOut('broken-single'), images), '--backend', 'wasm']), start(EVAL, sharded(mkdirOut('broken'), images))];
    expect(await one.exit).toBe(2);
    expect(await submit.exit).toBe(2);
    const expected = one.stderr.trimEnd().split('\n').pop() as string;
    expect(expected).toContain(broken);
    const lines = submit.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes(broken))).toEqual([`${expected} (on worker ${workerName(lines)})`]);
    expect(lines.pop()).toContain(broken);
  });
});

describe('retina-eval and its workers without Redis', () => {
  it('exit 2 with one line, at once, when Redis cannot be reached', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    for (const argv of [['worker', '--queue', url], ['--model', model, '--ann', VAL, '--images', IMAGES, '--queue', url]]) {
      const io = capture();
      expect(await run(argv, io)).toBe(2);
      expect(io.stderr).toEqual([expect.stringMatching(/^retina-eval: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: .*ECONNREFUSED/)]);
    }
    expect(Date.now() - t0).toBeLessThan(10000);
  });

  it('refuses a --job-size that would split a batch, naming both flags', async () => {
    const io = capture();
    expect(await run(['--model', model, '--ann', VAL, '--images', IMAGES, '--queue', 'redis://127.0.0.1:1', '--batch-size', '4', '--job-size', '6'], io)).toBe(2);
    expect(io.stderr).toEqual(['retina-eval: --job-size (6) must be a multiple of --batch-size (4): a job runs whole batches, as one process does']);
  });

  it.each(workerExamples.map(([cmd]) => [cmd]))('accepts its own example: %s', async (cmd) => {
    await expect(parseCommandLine(cmd.split(' ').slice(1))).resolves.toHaveProperty('runner');
  });
});
