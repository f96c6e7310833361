import { DEFAULT_DATASET, DEFAULT_MODEL, GAMMA_SWEEP, MAIN_LOSSES, SWEEP_LOSSES, evalArgs, planRuns, reproduceCommand, shardRuns, shareTag, trainArgs, type StudyConfig } from './config';

const CONFIG: StudyConfig = {
  out: '/s', seeds: 3, shares: [0.02, 0.1], sweepShares: [0.02], budgetCheckShares: [], iterations: 2000, evalEvery: 1, backend: 'wasm', threads: 1,
  dataset: DEFAULT_DATASET, model: DEFAULT_MODEL,
};

/** The value after `flag` in an argument list (undefined when the flag is absent). */
function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

/** An argument list without the flags (and their one value) named. */
function without(args: readonly string[], names: readonly string[]): string[] {
  return args.filter((_, i) => !names.includes(args[i]) && !names.includes(args[i - 1]));
}

describe('the losses', () => {
  it('are Table 1’s three at the paper’s best settings: CE, α-CE with α 0.75, FL with γ 2 and α 0.25', () => {
    expect(MAIN_LOSSES.map((l) => [l.id, l.kind, l.alpha, l.gamma])).toEqual([
      ['ce', 'ce', undefined, undefined],
      ['alpha-ce', 'balanced-ce', 0.75, undefined],
      ['focal', 'focal', 0.25, 2],
    ]);
  });

  it('sweep γ over {0, 0.5, 1, 2, 5} at Table 1b’s best α per γ, sharing the γ = 0 (α-CE) and γ = 2 (FL) runs', () => {
    expect(GAMMA_SWEEP.map((g) => [g.gamma, g.alpha])).toEqual([[0, 0.75], [0.5, 0.5], [1, 0.25], [2, 0.25], [5, 0.25]]);
    expect(SWEEP_LOSSES.map((l) => [l.id, l.gamma, l.alpha])).toEqual([['fl-g0.5', 0.5, 0.5], ['fl-g1', 1, 0.25], ['fl-g5', 5, 0.25]]);
  });
});

describe('planRuns and shardRuns', () => {
  const plan = planRuns(CONFIG);

  it('plans every (share, loss, seed): 3 losses × 3 seeds per share, plus 3 sweep losses × 3 seeds where the sweep runs', () => {
    expect(plan).toHaveLength(3 * 3 + 3 * 3 + 3 * 3);
    expect(plan.slice(0, 4).map((r) => r.id)).toEqual(['rare-2pct/ce/seed-0', 'rare-2pct/ce/seed-1', 'rare-2pct/ce/seed-2', 'rare-2pct/alpha-ce/seed-0']);
    expect(new Set(plan.map((r) => r.id)).size).toBe(plan.length);
    expect(plan.filter((r) => r.share === 0.1).map((r) => r.loss.id)).not.toContain('fl-g5');
    expect(planRuns({ ...CONFIG, sweepShares: [] })).toHaveLength(18);
  });

  it('adds a budget check per main loss (seed 0, twice the steps) on the shares asked for', () => {
    const checked = planRuns({ ...CONFIG, budgetCheckShares: [0.02] });
    expect(checked).toHaveLength(plan.length + 3);
    const extra = checked.slice(plan.length);
    expect(extra.map((r) => [r.id, r.seed, r.budget])).toEqual([
      ['rare-2pct/ce/seed-0-x2', 0, 2], ['rare-2pct/alpha-ce/seed-0-x2', 0, 2], ['rare-2pct/focal/seed-0-x2', 0, 2],
    ]);
    const args = trainArgs({ ...CONFIG, budgetCheckShares: [0.02] }, extra[2]);
    expect([flag(args, '--iterations'), flag(args, '--seed'), flag(args, '--out')]).toEqual(['4000', '0', '/s/runs/rare-2pct/focal/seed-0-x2']);
  });

  it('splits the plan into shards that cover it exactly once', () => {
    const shards = [0, 1, 2].map((index) => shardRuns(plan, { index, count: 3 }));
    expect(shards.map((s) => s.length)).toEqual([9, 9, 9]);
    expect(shards.flat().map((r) => r.id).sort()).toEqual(plan.map((r) => r.id).sort());
    expect(shardRuns(plan, undefined)).toEqual(plan);
  });

  it('names shares as folder tags', () => {
    expect([shareTag(0.02), shareTag(0.1), shareTag(0.125)]).toEqual(['rare-2pct', 'rare-10pct', 'rare-12.5pct']);
  });
});

describe('trainArgs', () => {
  const plan = planRuns(CONFIG);
  const args = plan.map((r) => trainArgs(CONFIG, r));

  it('differ between runs only in the loss flags, the seed and the run folder (per share: the data)', () => {
    const shared = args.filter((_, i) => plan[i].share === 0.02).map((a) => without(a, ['--loss', '--alpha', '--gamma', '--seed', '--out']));
    for (const s of shared) expect(s).toEqual(shared[0]);
    expect(args.map((a) => flag(a, '--out'))).toEqual(plan.map((r) => `/s/runs/${r.id}`));
    expect(args.map((a) => flag(a, '--seed'))).toEqual(plan.map((r) => String(r.seed)));
  });

  it('train the anchors and levels that fit the data, the new recipe, and validate on the held-out split', () => {
    const a = args[0];
    expect([flag(a, '--min-level'), flag(a, '--max-level')]).toEqual(['3', '5']);
    expect(a.slice(a.indexOf('--anchor-sizes') + 1, a.indexOf('--anchor-sizes') + 4)).toEqual(['16', '32', '64']);
    expect([flag(a, '--optimizer'), flag(a, '--norm'), flag(a, '--lr'), flag(a, '--iterations'), flag(a, '--warmup-iters')]).toEqual(['adamw', 'bn', '0.001', '2000', '100']);
    expect([flag(a, '--train-ann'), flag(a, '--val-ann'), flag(a, '--eval-every')]).toEqual([
      '/s/data/rare-2pct/annotations/instances_train.json', '/s/data/rare-2pct/annotations/instances_val.json', '1',
    ]);
    expect(flag(trainArgs({ ...CONFIG, iterations: 120 }, plan[0]), '--warmup-iters')).toBe('30');
  });

  it('give each loss its flags', () => {
    const byLoss = new Map(plan.map((r, i) => [r.loss.id, args[i]]));
    expect(['ce', 'alpha-ce', 'focal', 'fl-g5'].map((id) => {
      const a = byLoss.get(id)!;
      return [flag(a, '--loss'), flag(a, '--alpha'), flag(a, '--gamma')];
    })).toEqual([['ce', undefined, undefined], ['balanced-ce', '0.75', undefined], ['focal', '0.25', '2'], ['focal', '0.25', '5']]);
  });
});

describe('evalArgs and reproduceCommand', () => {
  it('score the final model on the held-out split at the training input size', () => {
    const run = planRuns(CONFIG)[0];
    expect(evalArgs(CONFIG, run)).toEqual([
      '--model', '/s/runs/rare-2pct/ce/seed-0/model', '--ann', '/s/data/rare-2pct/annotations/instances_val.json', '--images', '/s/data/rare-2pct/images',
      '--image-size', '128', '--max-size', '128', '--backend', 'wasm', '--quiet',
      '--out', '/s/runs/rare-2pct/ce/seed-0/dt.json', '--json', '/s/runs/rare-2pct/ce/seed-0/eval.json',
    ]);
  });

  it('state the flags that differ from the defaults', () => {
    expect(reproduceCommand(CONFIG)).toBe('npx retina-tools study-loss --out /s --iterations 2000 --backend wasm --threads 1');
    const small = { ...CONFIG, seeds: 2, shares: [0.3], sweepShares: [], evalEvery: 2, threads: 3, dataset: { ...DEFAULT_DATASET, images: 30, size: 64 } };
    expect(reproduceCommand(small)).toBe('npx retina-tools study-loss --out /s --iterations 2000 --backend wasm --threads 3 --seeds 2 --shares 0.3 --sweep-shares none --images 30 --size 64 --eval-every 2');
  });
});
