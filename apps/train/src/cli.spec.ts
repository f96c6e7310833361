import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildParser } from './cli';
import { runConfigFromArgs } from './run-config';

const base = ['--train-ann', 'a.json', '--train-images', 'img', '--out', 'runs/x'];
const parse = async (argv: string[]) =>
  buildParser(argv)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();

describe('retina-train command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'retina-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the documented defaults', async () => {
    const c = runConfigFromArgs(await parse(base));
    expect(c.optim).toMatchObject({ optimizer: 'adamw', epochs: 12, batchSize: 4, lr: 1e-3, weightDecay: 1e-4, schedule: 'cosine', ema: 0, patience: 0 });
    expect(c.model).toMatchObject({ norm: 'bn', headNorm: 'none', minLevel: 3, maxLevel: 7 });
    expect(c.model.anchorSizes).toBeUndefined();
    expect(c.loss).toEqual({ kind: 'focal', alpha: 0.25, gamma: 2, box: 'smooth-l1' });
    expect(c.data.imageSizes).toEqual([320]);
  });

  it('--optimizer sgd takes SGD’s learning rate unless --lr is given; --ema alone, --ema D, --no-ema', async () => {
    expect(runConfigFromArgs(await parse([...base, '--optimizer', 'sgd'])).optim).toMatchObject({ optimizer: 'sgd', lr: 0.01 });
    expect(runConfigFromArgs(await parse([...base, '--optimizer', 'sgd', '--lr', '0.02'])).optim.lr).toBe(0.02);
    expect(runConfigFromArgs(await parse([...base, '--ema', '--norm', 'gn'])).optim.ema).toBe(0.9999);
    expect(runConfigFromArgs(await parse([...base, '--ema', '0.999'])).optim.ema).toBe(0.999);
    expect(runConfigFromArgs(await parse([...base, '--no-ema'])).optim.ema).toBe(0);
  });

  it('a time limit without --epochs trains until the time runs out; anchors and levels from flags', async () => {
    const c = runConfigFromArgs(await parse([...base, '--time-limit', '600', '--min-level', '3', '--max-level', '6', '--anchor-sizes', '16', '32', '64', '128', '--anchor-ratios', '0.5', '1']));
    expect(c.optim).toMatchObject({ timeLimit: 600, epochs: undefined, iterations: undefined });
    expect(c.model).toMatchObject({ minLevel: 3, maxLevel: 6, anchorSizes: [16, 32, 64, 128], anchorRatios: [0.5, 1] });
    expect(runConfigFromArgs(await parse([...base, '--time-limit', '600', '--epochs', '3'])).optim.epochs).toBe(3);
  });

  it('takes values from --config (YAML) and lets flags override them', async () => {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'lr: 0.005\nbatch-size: 8\nimage-size: [288, 320]\nloss: ce\n');
    const c = runConfigFromArgs(await parse([...base, '--config', file, '--lr', '0.02']));
    expect(c.optim.lr).toBe(0.02);
    expect(c.optim.batchSize).toBe(8);
    expect(c.data.imageSizes).toEqual([288, 320]);
    expect(c.loss.kind).toBe('ce');
  });

  it.each([
    [['--out', 'x'], /--train-ann, --train-images and --out are required/],
    [[...base, '--epochs', '2', '--iterations', '5'], /give --epochs or --iterations, not both/],
    [[...base, '--backend', 'tpu'], /Invalid values:[\s\S]*backend/],
    [[...base, '--lr', '-1'], /--lr must be > 0 \(got -1\)/],
    [[...base, '--val-ann', 'v.json'], /--val-ann and --val-images go together/],
    [[...base, '--bogus'], /Unknown argument: bogus/],
    [[...base, '--norm', 'ln'], /Invalid values:[\s\S]*norm/],
    [[...base, '--ema', '1.5'], /--ema must be a decay in \[0, 1\) \(got 1.5\)/],
    [[...base, '--anchor-sizes', '32', '64'], /--anchor-sizes needs one size per level \(5 levels P3–P7; got 2\)/],
    [[...base, '--min-level', '4', '--max-level', '3'], /--min-level must be in 2..5 and --max-level in min-level..9/],
    [[...base, '--patience', '1.5'], /--patience must be an integer ≥ 0/],
    [[...base, '--warmup-fraction', '1'], /--warmup-fraction must be in \[0, 1\)/],
  ])('rejects %j', async (argv, message) => {
    await expect(parse(argv)).rejects.toThrow(message);
  });

  it('reports an unreadable or malformed config file in one line', async () => {
    await expect(parse([...base, '--config', join(dir, 'missing.yaml')])).rejects.toThrow(/--config .*missing\.yaml: cannot read \(ENOENT\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[1, 2]');
    await expect(parse([...base, '--config', bad])).rejects.toThrow(/bad\.json: expected a mapping of flag names to values/);
  });
});
