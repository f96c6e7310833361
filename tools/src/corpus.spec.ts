/**
 * The malformed-input corpus through the CLI path: each case must give exactly one line on stderr
 * and exit code 2 (in process through `runCli`; a few cases also as a spawned process).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

const CORPUS = join(__dirname, '__fixtures__', 'corpus');
const IMAGES = join(CORPUS, 'images');
const REPO = join(__dirname, '..', '..');

interface ErrorCase {
  name: string;
  ann: string;
  args?: string[];
  expect?: string;
  prefix?: string;
}
interface ValidCase {
  name: string;
  ann: string;
  args?: string[];
  warning?: string;
}
const manifest = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')) as { errors: ErrorCase[]; valid: ValidCase[] };

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function expectOneErrorLine(stderr: string, c: ErrorCase, images = IMAGES): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.slice(0, -1)).not.toContain('\n');
  const line = stderr.slice(0, -1);
  if (c.expect) expect(line).toBe(`error: ${c.expect.replace('<images>', images)}`);
  else expect(line.startsWith(`error: ${c.prefix?.replace('<images>', images)}`)).toBe(true);
}

describe('validate: malformed corpus', () => {
  it('holds at least 20 malformed annotation files and images', () => {
    expect(manifest.errors.length).toBeGreaterThanOrEqual(20);
  });

  it.each(manifest.errors.map((c) => [c.name, c] as const))('%s → one line, exit 2', async (_name, c) => {
    const r = await run(['validate', '--ann', join(CORPUS, c.ann), '--images', IMAGES, ...(c.args ?? [])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneErrorLine(r.stderr, c);
  });

  it.each(manifest.valid.map((c) => [c.name, c] as const))('%s → summary, exit 0', async (_name, c) => {
    const r = await run(['validate', '--ann', join(CORPUS, c.ann), '--images', IMAGES, ...(c.args ?? [])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${c.name}\\.json: OK\\n  images: 2 `));
    expect(r.stderr).toBe(c.warning ? `warning: ${c.warning.replace('<images>', IMAGES)}\n` : '');
  });

  it('symlink out of the images root → one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    try {
      cpSync(IMAGES, join(dir, 'images'), { recursive: true });
      writeFileSync(join(dir, 'secret.png'), 'outside');
      symlinkSync(join(dir, 'secret.png'), join(dir, 'images', 'link.png'));
      const doc = JSON.parse(readFileSync(join(CORPUS, 'annotations', 'valid.json'), 'utf8'));
      doc.images[0].file_name = 'link.png';
      writeFileSync(join(dir, 'symlink.json'), JSON.stringify(doc));
      const r = await run(['validate', '--ann', join(dir, 'symlink.json'), '--images', join(dir, 'images')]);
      expect(r.code).toBe(2);
      expectOneErrorLine(r.stderr, { name: 'symlink', ann: '', expect: `symlink.json: image 1: file_name resolves outside the images root through a symlink (link.png -> ${join(dir, 'secret.png')})` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['validate', '--ann', 'x.json'], 'error: Missing required argument: images (see --help)'],
    [['validate', '--ann', 'x.json', '--images', '.', '--bogus'], 'error: Unknown argument: bogus (see --help)'],
    [[], 'error: name a command (see --help)'],
    [['validate', '--ann', 'no-such.json', '--images', '.'], expect.stringMatching(/^error: option annotationFile: cannot read no-such\.json: ENOENT$/)],
  ])('usage error %j → one line, exit 2', async (args, line) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([line, '']);
  });
});

describe('validate as a spawned process', () => {
  const spawnCli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'cli.ts'), ...args], { cwd: REPO, encoding: 'utf8' });

  it.each(['bbox-negative-width', 'image-decompression-bomb'])('%s exits 2 with its one line on stderr', (name) => {
    const c = manifest.errors.find((e) => e.name === name) as ErrorCase;
    const r = spawnCli(['validate', '--ann', join(CORPUS, c.ann), '--images', IMAGES]);
    expect(r.status).toBe(2);
    expectOneErrorLine(r.stderr, c);
  });

  it('exits 0 with the summary on stdout for a valid dataset', () => {
    const r = spawnCli(['validate', '--ann', join(CORPUS, 'annotations', 'valid.json'), '--images', IMAGES]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^valid\.json: OK\n/);
  });
});
