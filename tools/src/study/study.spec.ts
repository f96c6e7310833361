import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CocoGroundTruth, CocoResult } from '@retina/coco-eval';
import { DEFAULT_DATASET, DEFAULT_MODEL, type StudyConfig } from './config';
import type { StudyReport } from './report';
import type { CliInvocation, CliRunner } from './runner';
import { runStudy } from './study';

const RARE_ID = 3; // the generator's last class with classes = 3
const flag = (args: readonly string[], name: string): string => args[args.indexOf(name) + 1];

/** The fake AP of a run: per loss, plus 0.01 per seed (so seeds differ and sd is known). */
const BASE_AP: Record<string, number> = { ce: 0.1, 'alpha-ce': 0.2, focal: 0.3, 'fl-g0.5': 0.25, 'fl-g1': 0.28, 'fl-g5': 0.22 };

/**
 * Stands in for the CLIs. retina-train writes model/ and a metrics.jsonl with two validations (AP
 * 0.5 × final, then final). retina-eval writes eval.json, and a dt.json in which CE finds every rare
 * held-out object, focal every other one (by annotation order), the rest none.
 */
function fakeRunner(calls: CliInvocation[]): CliRunner {
  return async (call) => {
    calls.push(call);
    const out = call.cli === 'retina-train' ? flag(call.args, '--out') : join(flag(call.args, '--model'), '..');
    const loss = out.split('/').slice(-2)[0];
    const seed = parseInt(out.split('seed-').pop()!, 10);
    const ap = BASE_AP[loss] + 0.01 * seed + (out.endsWith('-x2') ? 0.05 : 0);
    if (call.cli === 'retina-train') {
      mkdirSync(join(out, 'model'), { recursive: true });
      const iterations = Number(flag(call.args, '--iterations'));
      const records = [{ kind: 'step', iteration: 1 }, { kind: 'epoch', iteration: iterations / 2, stats: [ap / 2] }, { kind: 'epoch', iteration: iterations, stats: [ap] }];
      writeFileSync(join(out, 'metrics.jsonl'), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
      return;
    }
    const gt = JSON.parse(readFileSync(flag(call.args, '--ann'), 'utf8')) as CocoGroundTruth;
    const rare = gt.annotations.filter((a) => a.category_id === RARE_ID);
    const found = loss === 'ce' ? rare : loss === 'focal' ? rare.filter((_, i) => i % 2 === 0) : [];
    const dt: CocoResult[] = found.map((a) => ({ image_id: a.image_id, category_id: RARE_ID, bbox: a.bbox, score: 0.9 }));
    writeFileSync(flag(call.args, '--out'), JSON.stringify(dt));
    const perClass = [1, 2, 3].map((id) => ({ categoryId: id, name: ['circle', 'rectangle', 'triangle'][id - 1], ap: id === RARE_ID ? ap / 2 : ap, ap50: 2 * ap, numGt: 1 }));
    writeFileSync(flag(call.args, '--json'), JSON.stringify({ stats: [ap, 2 * ap, ...Array(10).fill(0)], perClass }));
  };
}

describe('runStudy (fake CLIs, small real datasets)', () => {
  let root = '';
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'study-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const config = (out: string, over: Partial<StudyConfig> = {}): StudyConfig => ({
    out, seeds: 2, shares: [0.3, 0.5], sweepShares: [0.3], budgetCheckShares: [], iterations: 8, evalEvery: 1, backend: 'wasm', threads: 1,
    dataset: { ...DEFAULT_DATASET, images: 24, size: 64 }, model: DEFAULT_MODEL, ...over,
  });
  const quiet = { stdout: () => undefined, stderr: () => undefined };
  const rareVal = (out: string, tag: string): number =>
    (JSON.parse(readFileSync(join(out, 'data', tag, 'annotations', 'instances_val.json'), 'utf8')) as CocoGroundTruth).annotations.filter((a) => a.category_id === RARE_ID).length;

  it('trains every (share, loss, seed) once, then reports mean ± sd per loss, recall at CE’s precision and the γ sweep', async () => {
    const out = join(root, 'a');
    const calls: CliInvocation[] = [];
    const outcome = await runStudy(config(out), fakeRunner(calls), quiet, { jobs: 2 });
    if (!outcome.complete) throw new Error('incomplete');
    const r: StudyReport = outcome.report;

    // share 0.3: 6 losses (3 + sweep) × 2 seeds; share 0.5: 3 losses × 2 seeds; one train + one eval each
    expect(calls.filter((c) => c.cli === 'retina-train')).toHaveLength(18);
    expect(calls.filter((c) => c.cli === 'retina-eval')).toHaveLength(18);
    const [low, high] = r.shares;
    expect([low.dataset.tag, high.dataset.tag, low.dataset.rareName]).toEqual(['rare-30pct', 'rare-50pct', 'triangle']);
    expect(low.dataset.val.rare).toBe(rareVal(out, 'rare-30pct'));
    expect(low.dataset.anchorCoverage.all).toBeGreaterThan(0.9);

    // CE: AP 0.10 and 0.11 over seeds 0 and 1 → mean 0.105, sd √((0.005² · 2) / 1) = 0.00707
    const ce = low.main[0];
    expect(ce.ap.mean).toBeCloseTo(0.105, 12);
    expect(ce.ap.sd).toBeCloseTo(0.01 / Math.SQRT2, 12);
    // CE finds every rare object at one score: precision 1 at recall 1, so its best-F1 precision is 1;
    // focal finds every other one: at precision 1 it reaches recall ⌈R/2⌉ / R, on COCO's 0.01 grid
    expect(low.cePrecision.map((p) => p?.toFixed(6))).toEqual(['1.000000', '1.000000']);
    const R = rareVal(out, 'rare-30pct');
    expect(ce.rareRecallAtCePrecision.mean).toBe(1);
    expect(low.main[2].rareRecallAtCePrecision.mean).toBeCloseTo(Math.floor((100 * Math.ceil(R / 2)) / R + 1e-9) / 100, 12);
    expect(low.main[1].rareRecallAtCePrecision.mean).toBe(0);
    // the fake curves rise by half the final AP in the last half of training: not flattened
    expect(low.main.map((l) => l.converged)).toEqual([0, 0, 0]);
    // per seed: the validation at step 8 gains AP/2 over the one at step 4 (CE 0.05, 0.055); the mean curve 0.0525
    expect(ce.lateGains.map((g) => Math.round(g! * 1e9) / 1e9)).toEqual([0.05, 0.055]);
    expect(ce.meanCurveLateGain).toBeCloseTo(0.0525, 12);
    expect(low.sweep?.map((g) => [g.gamma, g.alpha, Math.round(g.summary.ap.mean * 1000) / 1000])).toEqual([[0, 0.75, 0.205], [0.5, 0.5, 0.255], [1, 0.25, 0.285], [2, 0.25, 0.305], [5, 0.25, 0.225]]);
    expect(high.sweep).toBeNull();
    const flVsCe = low.contrasts.find((c) => c.metric === 'ap' && c.b === 'ce');
    expect(flVsCe?.difference).toBeCloseTo(0.2, 12);

    const md = readFileSync(join(out, 'study.md'), 'utf8');
    expect(md).toContain('| CE | 0.105 ± 0.007 | 0.210 ± 0.014 |');
    expect(md).toContain('## Rare class 30.0% of objects (rare-30pct)');
    expect(md).toContain('| 5 | 0.25 | 0.225 ± 0.007 |');
    expect(md).toContain('| loss | seed 0 | seed 1 | mean curve |\n| --- | ---: | ---: | ---: |\n| CE | +0.050 ✗ | +0.055 ✗ |');
    expect(md).toContain('| FL (γ = 5, α = 0.25) | +0.110 ✗ | +0.115 ✗ |');
    expect(JSON.parse(readFileSync(join(out, 'study.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));
    for (const png of ['pr-rare-30pct.png', 'curves-rare-30pct.png', 'pr-rare-50pct.png', 'curves-rare-50pct.png']) {
      expect(readFileSync(join(out, png)).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('trains the budget checks at twice the steps and reports each main loss at both budgets', async () => {
    const out = join(root, 'budget');
    const calls: CliInvocation[] = [];
    const outcome = await runStudy(config(out, { sweepShares: [], shares: [0.3], budgetCheckShares: [0.3] }), fakeRunner(calls), quiet);
    if (!outcome.complete) throw new Error('incomplete');
    const x2 = calls.filter((c) => c.cli === 'retina-train' && flag(c.args, '--out').endsWith('-x2'));
    expect(x2.map((c) => [flag(c.args, '--loss'), flag(c.args, '--iterations'), flag(c.args, '--seed')])).toEqual([['ce', '16', '0'], ['balanced-ce', '16', '0'], ['focal', '16', '0']]);
    const check = outcome.report.shares[0].budgetCheck!;
    expect(check.map((b) => [b.lossId, b.ap[0], Math.round(b.ap[1] * 1000) / 1000])).toEqual([['ce', 0.1, 0.15], ['alpha-ce', 0.2, 0.25], ['focal', 0.3, 0.35]]);
    // the budget checks stay out of the seeds' statistics: CE over seeds 0 and 1 is still 0.105
    expect(outcome.report.shares[0].main[0].ap.mean).toBeCloseTo(0.105, 12);
    expect(readFileSync(join(out, 'study.md'), 'utf8')).toContain('| FL (γ = 2, α = 0.25) | 0.300 | 0.350 | +0.050 |');
  });

  it('--compare sets each main loss beside the same study at another budget, with the change and Welch t', async () => {
    // the other study, by hand: 4 steps, CE at AP 0.050 ± 0.010 and triangle AP 0.020 ± 0 over 2 seeds
    const short = join(root, 'short');
    mkdirSync(short, { recursive: true });
    const ms = (mean: number, sd: number) => ({ mean, sd, n: 2 });
    const other = {
      study: 'focal-vs-ce', version: 2, config: { iterations: 4 },
      shares: [{ dataset: { share: 0.3 }, main: [{ lossId: 'ce', ap: ms(0.05, 0.01), rareAp: ms(0.02, 0), converged: 0, seeds: 2 }] }],
    };
    writeFileSync(join(short, 'study.json'), JSON.stringify(other));
    const out = join(root, 'long');
    const outcome = await runStudy(config(out, { sweepShares: [], shares: [0.3], compare: short }), fakeRunner([]), quiet);
    if (!outcome.complete) throw new Error('incomplete');
    const c = outcome.report.shares[0].comparison!;
    expect([c.iterations, c.source, c.rows.map((r) => r.lossId)]).toEqual([4, short, ['ce']]);
    // this study's CE: AP 0.10, 0.11 (0.105 ± 0.00707), triangle AP half of that (0.0525 ± 0.00354):
    // Δ AP +0.055, t = 0.055 / √(0.01²/2 + 0.00707²/2) = 6.35; Δ triangle AP +0.0325 (float: 0.03250…01 → +0.033),
    // t = 0.0325 / √(0.00354²/2) = 13.0
    const md = readFileSync(join(out, 'study.md'), 'utf8');
    expect(md).toContain('| CE | 0.050 ± 0.010 | 0.105 ± 0.007 | +0.055 (t = 6.4) | 0.020 ± 0.000 | 0.053 ± 0.004 | +0.033 (t = 13.0) | 0/2 → 0/2 |');
    expect(md).toContain(`The same losses and seeds at 4 steps (${short}) and at 8`);
    expect(outcome.report.command).toContain(`--compare ${short}`);
    await expect(runStudy(config(join(root, 'long2'), { shares: [0.3], sweepShares: [], compare: join(root, 'nowhere') }), fakeRunner([]), quiet)).rejects.toThrow(
      /nowhere\/study\.json: cannot read the study to compare with \(ENOENT\); --compare takes another study's --out folder/,
    );
  });

  it('continues where it stopped: finished runs are not run again, a run that failed is redone', async () => {
    const out = join(root, 'resume');
    let n = 0;
    const calls: CliInvocation[] = [];
    const fake = fakeRunner(calls);
    const failsOnFifth: CliRunner = async (call) => {
      if (++n === 5) throw new Error('retina-train was killed by SIGKILL');
      await fake(call);
    };
    await expect(runStudy(config(out), failsOnFifth, quiet)).rejects.toThrow(/SIGKILL/);
    expect(existsSync(join(out, 'study.md'))).toBe(false);
    const done = calls.length / 2; // the first two runs finished (train + eval each)

    const again: CliInvocation[] = [];
    const outcome = await runStudy(config(out), fakeRunner(again), quiet);
    expect(outcome.complete).toBe(true);
    expect(again.filter((c) => c.cli === 'retina-train')).toHaveLength(18 - done);
    const none: CliInvocation[] = [];
    await runStudy(config(out), fakeRunner(none), quiet);
    expect(none).toEqual([]);
  });

  it('splits over shards whose runs/ folders merge into the same report as one machine’s', async () => {
    const whole = join(root, 'a');
    const parts = [join(root, 'shard1'), join(root, 'shard2')];
    for (const [i, dir] of parts.entries()) {
      const outcome = await runStudy(config(dir), fakeRunner([]), quiet, { shard: { index: i, count: 2 } });
      expect(outcome.complete).toBe(false);
    }
    const merged = join(root, 'merged');
    for (const dir of parts) cpSync(join(dir, 'runs'), join(merged, 'runs'), { recursive: true });
    cpSync(join(parts[0], 'data'), join(merged, 'data'), { recursive: true });
    const outcome = await runStudy(config(merged), fakeRunner([]), quiet, { reportOnly: true });
    if (!outcome.complete) throw new Error('incomplete');
    const md = (dir: string) => readFileSync(join(dir, 'study.md'), 'utf8').replaceAll(dir, 'OUT').replace(/runs took [\d.]+ s/, '');
    expect(md(merged)).toBe(md(whole));
  });

  it('refuses to report an incomplete study, to mix in runs of other settings, and options it cannot run', async () => {
    const out = join(root, 'half');
    await runStudy(config(out), fakeRunner([]), quiet, { shard: { index: 0, count: 3 } });
    await expect(runStudy(config(out), fakeRunner([]), quiet, { reportOnly: true })).rejects.toThrow(/^12 of 18 runs are not done \(first: .*rare-30pct\/ce\/seed-1\); run the missing shards first$/);
    await expect(runStudy(config(out, { iterations: 10 }), fakeRunner([]), quiet)).rejects.toThrow(/rare-30pct\/ce\/seed-0\/result\.json: made with other settings than this study's/);
    await expect(runStudy(config(out, { seeds: 0 }), fakeRunner([]), quiet)).rejects.toThrow(/^option seeds: must be an integer ≥ 1 \(got 0\)$/);
    await expect(runStudy(config(out, { sweepShares: [0.1] }), fakeRunner([]), quiet)).rejects.toThrow(/^option sweepShares: 0\.1 is not one of --shares 0\.3 0\.5$/);
    await expect(runStudy(config(out), fakeRunner([]), quiet, { shard: { index: 3, count: 3 } })).rejects.toThrow(/^option shard: must be i\/n with 1 ≤ i ≤ n \(got 4\/3\)$/);
  });
});
