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
    expect(c.optim).toMatchObject({ epochs: 12, batchSize: 4, lr: 0.01, momentum: 0.9, weightDecay: 1e-4, schedule: 'cosine' });
    expect(c.loss).toEqual({ kind: 'focal', alpha: 0.25, gamma: 2, box: 'smooth-l1' });
    expect(c.data.imageSizes).toEqual([320]);
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
