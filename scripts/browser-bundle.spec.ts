/**
 * The model libs bundle for a browser (scripts/browser-bundle.ts, run as a child process: esbuild's
 * API does not run inside jest's module sandbox). The checks themselves are shown to fail on a
 * Node-only module, a `/node` entry and a Node global.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BundleReport } from './browser-bundle';

const ROOT = join(__dirname, '..');

function check(...imports: string[]): { status: number | null; report: BundleReport } {
  const args = ['--import', 'tsx', 'scripts/browser-bundle.ts', '--json', ...imports.flatMap((m) => ['--import', m])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, report: JSON.parse(r.stdout) };
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

describe('browser bundle of @retina/anchors, @retina/focal-loss, @retina/fpn, @retina/retinanet (and @retina/engine)', () => {
  let good: ReturnType<typeof check>;
  beforeAll(() => {
    good = check();
  });

  it('builds for platform "browser" with no Node built-in, Node-only module, sharp or Node global, in < 20 s', () => {
    const { report } = good;
    console.log(
      `browser bundle in ${report.ms} ms: our code (tfjs external) ${kib(report.ours.bytes)} minified, ${kib(report.ours.gzip)} gzipped; ` +
        `with tfjs-core + tfjs-layers + tfjs-backend-cpu ${kib(report.withTfjs.bytes)} minified, ${kib(report.withTfjs.gzip)} gzipped`,
    );
    expect(report.problems).toEqual([]);
    expect(good.status).toBe(0);
    expect(report.ms).toBeLessThan(20_000);
  });

  it('holds the sources of every browser entry and one tfjs-core; only tfjs and its seedrandom import built-ins, which their browser maps empty', () => {
    const { report } = good;
    for (const lib of ['anchors', 'image', 'focal-loss', 'fpn', 'retinanet', 'engine']) expect(report.ours.modules).toContain(`libs/${lib}/src/index.ts`);
    expect(report.ours.modules).not.toContain('libs/fpn/src/pretrained-dir.ts');
    expect(report.withTfjs.tfjsCoreCopies).toBe(1);
    expect(report.ours.bytes).toBeGreaterThan(10_000);
    expect(report.withTfjs.bytes).toBeGreaterThan(report.ours.bytes);
    for (const d of report.disabledByDependencies) expect(d).toMatch(/^(@tensorflow\/tfjs-[a-z-]+|seedrandom)\/.* → (util|crypto)$/);
  });

  it('runs in a V8 context without Node globals: cpu backend, a soft-target focal loss of 0.125·ln 2, 3069 anchors at 128², a RetinaNet forward pass', () => {
    const s = good.report.smoke!;
    expect(s.backend).toBe('cpu');
    expect(s.nodeGlobals).toEqual([]);
    // x = 0, t = 0.5, α = 0.25, γ = 2: α_t = 0.5, (1 − p_t)² = 0.25, BCE = ln 2
    expect(Math.abs(s.focalLoss - 0.125 * Math.LN2)).toBeLessThan(1e-6);
    // (16² + 8² + 4² + 2² + 1²) locations × 9 anchors
    expect(s.anchors).toBe(3069);
    expect([s.logitsShape, s.deltasShape, s.finite]).toEqual([[1, 3069, 2], [1, 3069, 4], true]);
  });

  it('fails, naming the culprit, for a module that reaches Node built-ins (@retina/engine/node)', () => {
    const bad = check('./libs/engine/src/node.ts');
    expect(bad.status).toBe(1);
    expect(bad.report.problems).toEqual(
      expect.arrayContaining([
        "libs/engine/src/select.ts imports the Node built-in 'node:fs'",
        "libs/engine/src/wasm-kernels/parallel/replica-worker.ts imports the Node built-in 'node:worker_threads'",
      ]),
    );
  });

  it('fails for a /node entry and for a Node global used at load time', () => {
    const bad = check('@retina/fpn/node', './scripts/__fixtures__/node-global.ts');
    expect(bad.status).toBe(1);
    expect(bad.report.problems).toEqual(expect.arrayContaining(['browser-entry.ts imports @retina/fpn/node, which is not a browser entry', "the browser bundle uses the Node global 'process'"]));
  });
});
