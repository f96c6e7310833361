import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';
import type { StudyReport } from './study-report';

/**
 * The one test that spawns the built retina-train and retina-eval (after `npm run build`): the
 * whole study on a tiny budget, about 20 s on 2 cores. It checks the plumbing, not the numbers.
 */
describe('retina-tools study-loss (built CLIs, tiny budget)', () => {
  let out = '';
  beforeAll(() => (out = mkdtempSync(join(tmpdir(), 'study-smoke-'))));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains and scores the three losses for 2 steps each on 64 px images (30% rare objects, so both splits have some) and writes the study files', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
    const code = await runCli(['study-loss', '--out', out, '--iterations', '2', '--images', '15', '--size', '64', '--rare-class-fraction', '0.3', '--seed', '1', '--backend', 'wasm'], io);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/\[3\/3\] focal \(γ = 2, α = 0\.25\): AP \d\.\d{3}, rare AP \d\.\d{3} \(train /);

    const report = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')) as StudyReport;
    expect(report.runs.map((r) => r.id)).toEqual(['ce', 'balanced-ce', 'focal']);
    for (const r of report.runs) {
      expect(existsSync(join(out, 'runs', r.id, 'model', 'model.json'))).toBe(true);
      for (const v of Object.values(r.metrics)) expect(v === -1 || (v >= 0 && v <= 1)).toBe(true);
    }
    expect(readFileSync(join(out, 'study.md'), 'utf8').match(/^\| (CE|α-balanced CE|focal)/gm)).toHaveLength(3);
    expect(existsSync(join(out, 'study.png'))).toBe(true);
  });
});
