import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { CocoGroundTruth, CocoResult } from '@retina/coco-eval';
import { runCli } from './cli';
import { runStudy, secondsPerStep } from './study';
import { DEFAULT_DATASET, DEFAULT_MODEL, type StudyConfig } from './study-config';
import type { StudyReport } from './study-report';
import type { CliInvocation, CliRunner } from './study-runner';

/** What the fake retina-eval reports per run: its overall AP, and whether it finds the rare objects. */
const FAKE_RESULTS: Record<string, { ap: number; findsRare: boolean }> = {
  ce: { ap: 0.1, findsRare: false },
  'balanced-ce': { ap: 0.15, findsRare: false },
  focal: { ap: 0.2, findsRare: true },
};
const RARE_ID = 3; // the generator's last class with classes = 3

const flag = (args: readonly string[], name: string): string => args[args.indexOf(name) + 1];

/**
 * Stands in for the CLIs: retina-train writes model/ (and metrics.jsonl: 0.5 s per step); retina-eval
 * writes dt.json (every held-out object of the classes it finds, exactly) and eval.json.
 */
function fakeRunner(calls: CliInvocation[]): CliRunner {
  return async (call) => {
    calls.push(call);
    if (call.cli === 'retina-train') {
      const out = flag(call.args, '--out');
      mkdirSync(join(out, 'model'), { recursive: true });
      const steps = Array.from({ length: Number(flag(call.args, '--iterations')) }, (_, i) => JSON.stringify({ kind: 'step', iteration: i + 1, imagesPerSec: i < 2 ? 1 : 8 }));
      writeFileSync(join(out, 'metrics.jsonl'), `${steps.join('\n')}\n`);
      return;
    }
    const run = basename(dirname(flag(call.args, '--json')));
    const { ap, findsRare } = FAKE_RESULTS[run];
    const gt = JSON.parse(readFileSync(flag(call.args, '--ann'), 'utf8')) as CocoGroundTruth;
    const found = gt.annotations.filter((a) => findsRare || a.category_id !== RARE_ID);
    const dt: CocoResult[] = found.map((a) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 0.9 }));
    writeFileSync(flag(call.args, '--out'), JSON.stringify(dt));
    const perClass = [1, 2, 3].map((id) => ({ categoryId: id, name: ['circle', 'rectangle', 'triangle'][id - 1], ap: id === RARE_ID ? ap / 2 : ap, ap50: 2 * ap, numGt: 1 }));
    writeFileSync(flag(call.args, '--json'), JSON.stringify({ stats: [ap, 2 * ap, ...Array(10).fill(0)], perClass }));
  };
}

describe('runStudy (fake CLIs, a small real dataset)', () => {
  let root = '';
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'study-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const config = (out: string, budget: StudyConfig['budget'] = { iterations: 5 }): StudyConfig => ({
    out,
    seed: 3,
    backend: 'wasm',
    budget,
    dataset: { ...DEFAULT_DATASET, images: 15, size: 64, rareClassFraction: 0.3 },
    model: DEFAULT_MODEL,
  });
  const quiet = { stdout: () => undefined, stderr: () => undefined };

  it('trains CE, α-balanced CE and focal with the same steps and seed, scores each, and writes study.json / .md / .png', async () => {
    const out = join(root, 'a');
    const calls: CliInvocation[] = [];
    const report = await runStudy(config(out), fakeRunner(calls), quiet);

    expect(calls.map((c) => `${c.cli} ${basename(dirname(c.log))}`)).toEqual([
      'retina-train ce', 'retina-eval ce', 'retina-train balanced-ce', 'retina-eval balanced-ce', 'retina-train focal', 'retina-eval focal',
    ]);
    const trains = calls.filter((c) => c.cli === 'retina-train');
    expect(trains.map((c) => [flag(c.args, '--loss'), flag(c.args, '--iterations'), flag(c.args, '--seed')])).toEqual([
      ['ce', '5', '3'], ['balanced-ce', '5', '3'], ['focal', '5', '3'],
    ]);

    expect(report.dataset.rare).toMatchObject({ id: RARE_ID, name: 'triangle' });
    expect(report.dataset.rare.valCount).toBeGreaterThan(0);
    expect(report.runs.map((r) => [r.id, r.metrics])).toEqual([
      ['ce', { ap: 0.1, ap50: 0.2, rareAp: 0.05, rareAp50: 0.2, rareRecall50: 0 }],
      ['balanced-ce', { ap: 0.15, ap50: 0.3, rareAp: 0.075, rareAp50: 0.3, rareRecall50: 0 }],
      ['focal', { ap: 0.2, ap50: 0.4, rareAp: 0.1, rareAp50: 0.4, rareRecall50: 1 }],
    ]);
    expect(report.command).toBe(`node tools/dist/cli.js study-loss --out ${out} --iterations 5 --seed 3 --backend wasm --images 15 --size 64 --rare-class-fraction 0.3`);

    expect(JSON.parse(readFileSync(join(out, 'study.json'), 'utf8'))).toEqual(report);
    const md = readFileSync(join(out, 'study.md'), 'utf8');
    expect(md).toContain('| focal (γ = 2, α = 0.25) | 0.200 | 0.400 | 0.100 | 1.000 |');
    expect(md).toContain('Budget: 5 iterations per run');
    expect(md).toContain(`Reproduce: \`${report.command}\``);
    expect(readFileSync(join(out, 'study.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is deterministic: a second study into another folder writes the same study.md (bar the paths)', async () => {
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    await runStudy(config(b), fakeRunner([]), quiet);
    const md = (dir: string) => readFileSync(join(dir, 'study.md'), 'utf8').replaceAll(dir, 'OUT');
    expect(md(b)).toBe(md(a));
  });

  it('turns --time-limit into one step count for all runs through a calibration run', async () => {
    const calls: CliInvocation[] = [];
    const report: StudyReport = await runStudy(config(join(root, 't'), { timeLimit: 10 }), fakeRunner(calls), quiet);
    // Calibration: 10 steps at 8 images/s with batch 4 → 0.5 s per step → 20 steps in 10 s.
    expect(calls[0].log).toBe(join(root, 't', 'calibration', 'train.log'));
    expect(calls.filter((c) => c.cli === 'retina-train').map((c) => flag(c.args, '--iterations'))).toEqual(['10', '20', '20', '20']);
    expect([report.iterations, report.budget]).toEqual([20, { requested: { timeLimit: 10 }, secondsPerStep: 0.5 }]);
  });

  it('stops at the first failing run and writes no study files', async () => {
    const out = join(root, 'fail');
    const failing: CliRunner = async (call) => {
      if (call.cli === 'retina-eval') throw new Error('retina-eval exited with code 1');
    };
    await expect(runStudy(config(out), failing, quiet)).rejects.toThrow(/retina-eval exited with code 1/);
    expect(readdirSync(out).sort()).toEqual(['data', 'runs']);
  });

  it('reports a missing eval file by name and rejects options it cannot run', async () => {
    const out = join(root, 'noeval');
    await expect(runStudy(config(out), async () => undefined, quiet)).rejects.toThrow(/runs\/ce\/eval\.json: missing \(retina-eval wrote no --json file\)$/);
    await expect(runStudy(config(out, { iterations: 0 }), fakeRunner([]), quiet)).rejects.toThrow(/^option iterations: must be an integer ≥ 1 \(got 0\)$/);
    await expect(runStudy(config(out, { timeLimit: -1 }), fakeRunner([]), quiet)).rejects.toThrow(/^option timeLimit: must be > 0 seconds/);
    const tiny = { ...config(out), dataset: { ...DEFAULT_DATASET, images: 4 } };
    await expect(runStudy(tiny, fakeRunner([]), quiet)).rejects.toThrow(/^option images: 4 images leave 1 held-out and 3 training images/);
  });
});

describe('secondsPerStep', () => {
  it('is the median of batch / imagesPerSec over the step records, the first two left out', () => {
    const lines = [1, 2, 4, 8, 4, 2].map((ips, i) => JSON.stringify({ kind: 'step', iteration: i + 1, imagesPerSec: ips }));
    lines.push(JSON.stringify({ kind: 'epoch', imagesPerSec: 100 }));
    // Kept: 4, 8, 4, 2 images/s → 1, 0.5, 1, 2 s per step of 4 images → median 1.
    expect(secondsPerStep(lines.join('\n'), 4)).toBe(1);
    expect(secondsPerStep(lines.slice(0, 5).join('\n'), 4)).toBe(1); // 4, 8, 4 → 1, 0.5, 1
  });

  it('refuses a log without steps to measure', () => {
    expect(() => secondsPerStep('{"kind":"step","imagesPerSec":3}\n', 4)).toThrow(/^calibration: no step records after the first 2 in metrics\.jsonl$/);
  });
});

describe('retina-tools study-loss (command line)', () => {
  it('refuses --iterations with --time-limit, and a bad budget, with one line and exit 2', async () => {
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => (stderr += t) };
    expect(await runCli(['study-loss', '--iterations', '5', '--time-limit', '3'], io)).toBe(2);
    expect(stderr).toBe('error: Arguments iterations and time-limit are mutually exclusive (see --help)\n');
    stderr = '';
    expect(await runCli(['study-loss', '--iterations', '2.5'], io)).toBe(2);
    expect(stderr).toBe('error: option iterations: must be an integer ≥ 1 (got 2.5)\n');
  });
});
