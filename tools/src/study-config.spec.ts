import { DEFAULT_DATASET, DEFAULT_MODEL, LOSS_RUNS, evalArgs, reproduceCommand, studyPaths, trainArgs, type StudyConfig } from './study-config';

const CONFIG: StudyConfig = { out: '/s', seed: 7, backend: 'wasm', budget: { iterations: 500 }, dataset: DEFAULT_DATASET, model: DEFAULT_MODEL };

/** The value after `flag` in an argument list (undefined when the flag is absent). */
function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

/** An argument list without the flags (and values) named. */
function without(args: readonly string[], names: readonly string[]): string[] {
  return args.filter((_, i) => !names.includes(args[i]) && !names.includes(args[i - 1]));
}

describe('the three runs', () => {
  const args = LOSS_RUNS.map((r) => trainArgs(CONFIG, r, 500, studyPaths('/s').run(r.id)));

  it('are CE, α-balanced CE (α 0.25) and focal (γ 2, α 0.25), selected by their retina-train flags', () => {
    expect(LOSS_RUNS.map((r) => r.id)).toEqual(['ce', 'balanced-ce', 'focal']);
    expect(args.map((a) => [flag(a, '--loss'), flag(a, '--alpha'), flag(a, '--gamma')])).toEqual([
      ['ce', undefined, undefined],
      ['balanced-ce', '0.25', undefined],
      ['focal', '0.25', '2'],
    ]);
  });

  it('differ only in the loss flags and the run folder: same steps, seed, model, data and inputs', () => {
    const shared = args.map((a) => without(a, ['--loss', '--alpha', '--gamma', '--out']));
    expect(shared[1]).toEqual(shared[0]);
    expect(shared[2]).toEqual(shared[0]);
    expect(args.map((a) => flag(a, '--out'))).toEqual(['/s/runs/ce', '/s/runs/balanced-ce', '/s/runs/focal']);
    const a = args[0];
    expect([flag(a, '--iterations'), flag(a, '--seed'), flag(a, '--backend'), flag(a, '--image-size'), flag(a, '--max-size')]).toEqual(['500', '7', 'wasm', '128', '128']);
    expect([flag(a, '--train-ann'), flag(a, '--train-images')]).toEqual(['/s/data/annotations/instances_train.json', '/s/data/images']);
    expect([flag(a, '--backbone'), flag(a, '--width'), flag(a, '--batch-size'), flag(a, '--lr'), flag(a, '--warmup-iters')]).toEqual(['narrow', '16', '4', '0.01', '50']);
    // the published study's recipe, pinned: retina-train's defaults have moved on (batch-statistics BN, AdamW)
    expect([flag(a, '--optimizer'), flag(a, '--norm')]).toEqual(['sgd', 'frozen-bn']);
    expect(a).not.toContain('--val-ann'); // scored afterwards on the held-out split, not during training
  });

  it('cap the warmup at a quarter of a tiny budget', () => {
    expect(flag(trainArgs(CONFIG, LOSS_RUNS[0], 3, '/r'), '--warmup-iters')).toBe('0');
    expect(flag(trainArgs(CONFIG, LOSS_RUNS[0], 120, '/r'), '--warmup-iters')).toBe('30');
  });
});

describe('evalArgs', () => {
  it('scores the run’s model on the held-out split at the training input size, writing dt.json and eval.json', () => {
    expect(evalArgs(CONFIG, '/s/runs/focal')).toEqual([
      '--model', '/s/runs/focal/model', '--ann', '/s/data/annotations/instances_val.json', '--images', '/s/data/images',
      '--image-size', '128', '--max-size', '128', '--backend', 'wasm', '--quiet',
      '--out', '/s/runs/focal/dt.json', '--json', '/s/runs/focal/eval.json',
    ]);
  });
});

describe('reproduceCommand', () => {
  it('states the budget as a step count and only the dataset flags that differ from the defaults', () => {
    expect(reproduceCommand(CONFIG, 500)).toBe('node tools/dist/cli.js study-loss --out /s --iterations 500 --seed 7 --backend wasm');
    const small = { ...CONFIG, dataset: { ...DEFAULT_DATASET, images: 30, size: 64 } };
    expect(reproduceCommand(small, 3)).toBe('node tools/dist/cli.js study-loss --out /s --iterations 3 --seed 7 --backend wasm --images 30 --size 64');
  });
});
