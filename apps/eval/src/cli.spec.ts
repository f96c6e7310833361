import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectEngine } from '@retina/engine/node';
import { createRetinaNet, saveRetinaNet } from '@retina/retinanet/node';
import { parseCommandLine, run, VERSION } from './cli';
import { evaluateExamples } from './evaluate-command';
import type { CliIo } from './io';
import { capture } from './__fixtures__/capture';

const GOLDEN = join(__dirname, '../../../fixtures/golden/eval');
const TOLERANCE = 1e-9;
const SUMMARY_START = 5; // the reference prints 5 progress lines before the 12 numbers


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'retina-eval-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('retina-eval --gt --dt (in-process run)', () => {
  describe.each(readdirSync(GOLDEN).sort())('golden case %s', (name) => {
    it('writes the reference stats and per-class AP to --json and prints the reference summary', async () => {
      const expected = JSON.parse(readFileSync(join(GOLDEN, name, 'expected.json'), 'utf8'));
      const out = join(dir, `${name}.json`);
      const io = capture();
      const code = await run(['--gt', join(GOLDEN, name, 'gt.json'), '--dt', join(GOLDEN, name, 'dt.json'), '--json', out], io);
      expect(code).toBe(0);
      const written = JSON.parse(readFileSync(out, 'utf8'));
      written.stats.forEach((s: number, i: number) => expect(Math.abs(s - expected.stats[i])).toBeLessThanOrEqual(TOLERANCE));
      for (const c of written.perClass) expect(Math.abs(c.ap - expected.per_class_ap[String(c.categoryId)])).toBeLessThanOrEqual(TOLERANCE);
      expect(written.perClass).toHaveLength(Object.keys(expected.per_class_ap).length);
      expect(io.stdout.slice(0, 12)).toEqual(expected.summary.split('\n').slice(SUMMARY_START, SUMMARY_START + 12));
    });
  });

  it('writes exactly {stats, perClass} with the documented per-class fields', async () => {
    const out = join(dir, 'fields.json');
    await run(['--gt', join(GOLDEN, 'basic/gt.json'), '--dt', join(GOLDEN, 'basic/dt.json'), '--json', out], capture());
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(written)).toEqual(['stats', 'perClass']);
    expect(Object.keys(written.perClass[0])).toEqual(['categoryId', 'name', 'ap', 'ap50', 'ap75', 'ar100', 'numGt', 'numDt']);
  });

  it('prints a per-class table after the summary, "-" for a category without ground truth', async () => {
    const io = capture();
    await run(['--gt', join(GOLDEN, 'empty_category/gt.json'), '--dt', join(GOLDEN, 'empty_category/dt.json'), '--sort', 'ap'], io);
    const table = io.stdout.slice(13);
    expect(table[0]).toMatch(/^id\s+name\s+GT\s+DT\s+AP\s+AP50\s+AP75\s+AR100\s+P@0.50\s+R@0.50\s+F1@0.50\s+bestF1\s+at score$/);
    expect(table.slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([7, 1, 10, 4, 13]); // by AP, −1 last
    expect(table[5]).toMatch(/^13\s+\S+\s+0\s+\d+\s+-\s+-\s+-\s+-/);
  });

  it('writes one PR-curve PNG per category with ground truth into --plots', async () => {
    const plots = join(dir, 'plots');
    const code = await run(['--gt', join(GOLDEN, 'empty_category/gt.json'), '--dt', join(GOLDEN, 'empty_category/dt.json'), '--plots', plots], capture());
    expect(code).toBe(0);
    const files = readdirSync(plots).sort();
    expect(files.map((f) => f.split('-')[1])).toEqual(['1', '10', '4', '7']);
    expect(readFileSync(join(plots, files[0])).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('retina-eval errors and exit codes', () => {
  const gt = join(GOLDEN, 'basic/gt.json');
  const dt = join(GOLDEN, 'basic/dt.json');

  it.each([
    ['an unknown flag', () => ['--gt', gt, '--dt', dt, '--bogus'], /Unknown argument: bogus/],
    ['a value outside the choices', () => ['--gt', gt, '--dt', dt, '--sort', 'size'], /Invalid values: Argument: sort, Given: "size"/],
    ['no mode', () => [], /nothing to do: give --gt GT.json --dt DT.json/],
    ['--gt without --dt', () => ['--gt', gt], /needs both --gt GT.json and --dt DT.json/],
    ['a non-numeric threshold', () => ['--gt', gt, '--dt', dt, '--score-threshold', 'high'], /--score-threshold must be a number/],
    ['a missing file', () => ['--gt', gt, '--dt', join(dir, 'absent.json')], /absent\.json: cannot read the file \(ENOENT/],
    ['ground truth given as results', () => ['--gt', dt, '--dt', dt], /dt\.json: top level: must be a COCO object/],
    ['results given as ground truth', () => ['--gt', gt, '--dt', gt], /gt\.json: expected a JSON array, found an object/],
    ['an unknown image id', () => ['--gt', gt, '--dt', file('unknown-image.json', [{ image_id: 5, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }])], /unknown-image\.json: result 0: image_id 5 is not an image of the ground truth/],
    ['a missing field', () => ['--gt', gt, '--dt', file('no-score.json', [{ image_id: 1000, category_id: 1, bbox: [0, 0, 1, 1] }])], /no-score\.json: result 0: missing field 'score'/],
    ['empty results', () => ['--gt', gt, '--dt', file('empty.json', '[]')], /empty\.json: no detections \(the results list is empty\)/],
    ['an unknown category', () => ['--gt', gt, '--dt', dt, '--categories', '2'], /--categories: '2' is not a category of .*gt\.json \(known: 1:class1/],
    ['an unwritable --json', () => ['--gt', gt, '--dt', dt, '--json', join(dir, 'no/such/dir/out.json')], /out\.json: cannot write the file \(ENOENT/],
  ])('exits 2 with one line on stderr for %s', async (_, argv, message) => {
    const io = capture();
    expect(await run(argv(), io)).toBe(2);
    expect(io.stderr.filter((l) => !l.startsWith('retina-eval: ') || !/ loaded in /.test(l))).toHaveLength(1);
    const error = io.stderr[io.stderr.length - 1];
    expect(error).toMatch(/^retina-eval: /);
    expect(error).not.toMatch(/\n/); // no stack trace
    expect(error).toMatch(message);
  });

  it('exits 1 with a stack trace on an unexpected exception', async () => {
    const io = capture();
    const broken: CliIo = { out: () => { throw new TypeError('boom'); }, err: io.err };
    expect(await run(['--gt', gt, '--dt', dt], broken)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/internal error[\s\S]*TypeError: boom[\s\S]*\n\s+at /);
  });

  it('prints help with the examples and exits 0', async () => {
    const io = capture();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/--gt[\s\S]*--plots[\s\S]*Examples:/);
  });

  it.each(evaluateExamples.map(([cmd]) => [cmd]))('accepts its own example: %s', async (cmd) => {
    const argv = cmd.split(' ').slice(1);
    expect(cmd.startsWith('$0 ')).toBe(true);
    await expect(parseCommandLine(argv)).resolves.toHaveProperty('runner');
  });
});

describe('retina-eval conventions shared by the three CLIs', () => {
  const gt = join(GOLDEN, 'basic/gt.json');
  const dt = join(GOLDEN, 'basic/dt.json');

  it('--version prints the package version and -h the help on stdout, exit 0', async () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version);
    const version = capture();
    expect(await run(['--version'], version)).toBe(0);
    expect(version.stdout).toEqual([VERSION]);
    const help = capture();
    expect(await run(['-h'], help)).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/--gt[\s\S]*Examples:/);
  });

  it('--json - writes only the JSON on stdout (the summary and table then go to stderr)', async () => {
    const io = capture();
    expect(await run(['--gt', gt, '--dt', dt, '--json', '-'], io)).toBe(0);
    const written = JSON.parse(io.stdout.join('\n'));
    expect(Object.keys(written)).toEqual(['stats', 'perClass']);
    expect(written.stats).toHaveLength(12);
    expect(io.stderr.some((l) => l.startsWith(' Average Precision  (AP) @[ IoU=0.50:0.95'))).toBe(true);
  });

  it("a library's user error — a saved model whose config cannot be built — is one line naming model.json, exit 2", async () => {
    await selectEngine({ backend: 'cpu' });
    const model = join(dir, 'broken-model');
    const net = createRetinaNet({ numClasses: 1, backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] }, fpn: { channels: 8 }, head: { channels: 8, convs: 1 } });
    await saveRetinaNet(net, model);
    net.dispose();
    const json = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
    json.userDefinedMetadata.config.backbone.width = 0; // as a hand edit or another version might leave it
    writeFileSync(join(model, 'model.json'), JSON.stringify(json));
    const io = capture();
    expect(await run(['--model', model, '--ann', gt, '--images', dir, '--backend', 'cpu', '--quiet'], io)).toBe(2);
    const errors = io.stderr.filter((l) => !/^retina-eval: engine: /.test(l));
    expect(errors).toEqual([expect.stringMatching(/^retina-eval: .*broken-model\/model\.json: saved config: fpn config: backbone.width: must be an integer ≥ 1 \(got 0\)$/)]);
  });
});
