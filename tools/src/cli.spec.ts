import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { loadResultsFile } from '@retina/coco-eval';
import { runCli, toolCommands } from './cli';
import type { CliIo } from './commands/io';

const FIXTURES = join(__dirname, '__fixtures__');

async function run(args: string[], commands?: (io: CliIo) => CommandModule[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await runCli(args, io, commands?.(io));
  return { code, stdout, stderr };
}

/** The tools' commands plus one that runs `body` (what a new command calling a library would do). */
const withCommand = (body: () => Promise<unknown>) => (io: CliIo): CommandModule[] => [
  ...toolCommands(io),
  { command: 'probe', describe: 'test command', handler: async () => void (await body()) },
];

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

  it('--version prints the package version and -h the help, on stdout, exit 0', async () => {
    const version = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const h = await run(['-h']);
    expect([h.code, h.stderr]).toEqual([0, '']);
    expect(h.stdout).toMatch(/^retina-tools <command>\n\nCommands:\n[\s\S]*retina-tools anchors/);
  });

  it("a library's user error (not only @retina/coco's) reaches the user as one line, exit 2", async () => {
    const gt = join(dir, 'gt-as-dt.json');
    writeFileSync(gt, '{"images": [], "annotations": [], "categories": []}');
    // @retina/coco-eval's CocoEvalInputError: ground truth given where results belong
    const r = await run(['probe'], withCommand(() => loadResultsFile(gt)));
    expect(r).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^error: .*gt-as-dt\.json: expected a JSON array, found an object[^\n]*\n$/) });
  });

  it('anything else is a bug: exit 1 with the stack trace', async () => {
    const r = await run(['probe'], withCommand(async () => JSON.parse('{')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: internal error \(please report it\):\nSyntaxError: [^\n]*\n\s+at /);
  });

  it('rejects a bad choice with one line and exit 2', async () => {
    const r = await run(['generate', '--out', dir, '--format', 'gif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Invalid values:.*gif.*\(see --help\)\n$/);
  });
});
