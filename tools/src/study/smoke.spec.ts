import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli';
import type { StudyReport } from './report';

/**
 * The one test that spawns the built retina-train and retina-eval (after `npm run build`): a whole
 * study on a tiny budget — one share, three losses, two seeds, 4 steps each on 64 px images. It
 * checks the plumbing (flags reach the CLIs, curves and PR curves come back, the report is written,
 * a second call trains nothing), not the numbers.
 */
describe('retina-tools study-loss (built CLIs, tiny budget)', () => {
  let out = '';
  beforeAll(() => (out = mkdtempSync(join(tmpdir(), 'study-smoke-'))));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const args = () => ['study-loss', '--out', out, '--iterations', '4', '--seeds', '2', '--shares', '0.3', '--sweep-shares', 'none', '--images', '16', '--size', '64', '--jobs', '2', '--backend', 'wasm'];

  it('trains and scores three losses × two seeds, and writes the study files', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
    const code = await runCli(args(), io);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^plan: 6 runs; 0 of this call's 6 already done, 6 to run, 2 at a time$/m);
    expect(stdout).toMatch(/^\[6\/6\] rare-30pct\/\S+\/seed-\d: AP \d\.\d{3}, rare AP (\d\.\d{3}|–) \(train /m);

    const report = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')) as StudyReport;
    expect(report.runs.map((r) => r.id).sort()).toEqual(['alpha-ce', 'ce', 'focal'].flatMap((l) => [0, 1].map((s) => `rare-30pct/${l}/seed-${s}`)));
    for (const r of report.runs) {
      expect(existsSync(join(out, 'runs', r.id, 'model', 'model.json'))).toBe(true);
      expect(r.curve.length).toBeGreaterThan(0); // validation during training reached metrics.jsonl
      expect(r.rarePr.recall).toHaveLength(101);
      for (const v of Object.values(r.metrics)) expect(v === -1 || (v >= 0 && v <= 1)).toBe(true);
    }
    const md = readFileSync(join(out, 'study.md'), 'utf8');
    const loss = 'CE|α-CE \\(α = 0\\.75\\)|FL \\(γ = 2, α = 0\\.25\\)';
    // each loss once in the main table (mean ± sd) and once in the convergence table (a gain and ✓/✗, or – without validations to compare)
    expect(md.match(new RegExp(`^\\| (${loss}) \\| \\d\\.\\d{3} ± \\d\\.\\d{3} \\|`, 'gm'))).toHaveLength(3);
    expect(md.match(new RegExp(`^\\| (${loss}) \\| (–|[+-]\\d\\.\\d{3} [✓✗]) \\|`, 'gm'))).toHaveLength(3);
    expect(existsSync(join(out, 'pr-rare-30pct.png'))).toBe(true);

    let again = '';
    expect(await runCli(args(), { stdout: (t) => (again += t), stderr: (t) => (again += t) })).toBe(0);
    expect(again).toMatch(/^plan: 6 runs; 6 of this call's 6 already done, 0 to run/m);
  });
});
