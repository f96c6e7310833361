import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

const FIXTURES = join(__dirname, '__fixtures__');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('retina-tools commands (in process)', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generate → validate: a generated dataset validates', async () => {
    const out = join(dir, 'shapes');
    const g = await run(['generate', '--out', out, '--images', '5', '--size', '64', '--seed', '1', '--rare-class-fraction', '0.02', '--format', 'jpeg']);
    expect([g.code, g.stderr]).toEqual([0, '']);
    expect(g.stdout).toMatch(/^wrote .*shapes: train 4 images \/ \d+ boxes, val 1 \/ \d+\nobjects per class: circle \d+, /);
    const v = await run(['validate', '--ann', join(out, 'annotations', 'instances_train.json'), '--images', join(out, 'images'), '--decode']);
    expect([v.code, v.stderr]).toEqual([0, '']);
    expect(v.stdout).toMatch(/^instances_train\.json: OK\n  images: 4 \(all present, all decoded\)\n/);
  });

  it('convert-voc and convert-csv write COCO files', async () => {
    const voc = await run(['convert-voc', '--xml', join(FIXTURES, 'voc'), '--out', join(dir, 'voc.json'), '--classes', 'raccoon']);
    expect(voc).toEqual({ code: 0, stdout: `wrote ${join(dir, 'voc.json')}: 3 images, 6 annotations, 1 categories (raccoon)\n`, stderr: '' });
    const csv = join(dir, 'b.csv');
    writeFileSync(csv, 'good.png,1,2,3,4,cat\n');
    const c = await run(['convert-csv', '--csv', csv, '--images', join(FIXTURES, 'corpus', 'images'), '--out', join(dir, 'csv.json')]);
    expect([c.code, c.stderr]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(join(dir, 'csv.json'), 'utf8')).annotations[0].bbox).toEqual([1, 2, 2, 2]);
  });

  it('rejects a bad choice with one line and exit 2', async () => {
    const r = await run(['generate', '--out', dir, '--format', 'gif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Invalid values:.*gif.*\(see --help\)\n$/);
  });
});
