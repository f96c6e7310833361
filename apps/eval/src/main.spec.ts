import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const GOLDEN = join(ROOT, 'fixtures/golden/eval');
const MAIN = join(__dirname, 'main.ts');

/** Runs the CLI as users do, in a child process (through tsx, so no build is needed). */
const retinaEval = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('retina-eval as a process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'retina-eval-main-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores a golden case: reference summary on stdout, reference numbers in --json, exit 0', () => {
    const expected = JSON.parse(readFileSync(join(GOLDEN, 'mixed/expected.json'), 'utf8'));
    const out = join(dir, 'eval.json');
    const r = retinaEval('--gt', join(GOLDEN, 'mixed/gt.json'), '--dt', join(GOLDEN, 'mixed/dt.json'), '--json', out);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 12)).toEqual(expected.summary.split('\n').slice(5, 17));
    const written = JSON.parse(readFileSync(out, 'utf8'));
    written.stats.forEach((s: number, i: number) => expect(Math.abs(s - expected.stats[i])).toBeLessThanOrEqual(1e-9));
    for (const c of written.perClass) expect(Math.abs(c.ap - expected.per_class_ap[String(c.categoryId)])).toBeLessThanOrEqual(1e-9);
  });

  it('a reader that goes away (| true, as | head does) makes it neither fail nor skip the --json file', () => {
    const out = join(dir, 'piped.json');
    const tsx = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(MAIN)}`;
    const golden = (f: string) => JSON.stringify(join(GOLDEN, 'mixed', f));
    // `true` exits without reading, long before the CLI has started: every write meets a closed pipe (EPIPE)
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `${tsx} --gt ${golden('gt.json')} --dt ${golden('dt.json')} --json ${JSON.stringify(out)} | true`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).stats).toHaveLength(12);
  });

  it('exits 2 with a single line on stderr for a bad input file', () => {
    const r = retinaEval('--gt', join(GOLDEN, 'mixed/dt.json'), '--dt', join(GOLDEN, 'mixed/dt.json'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^retina-eval: .*dt\.json: top level: must be a COCO object/)]);
  });
});
