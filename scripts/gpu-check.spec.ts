/**
 * `npm run gpu-check`: the verdicts (compare, summarize) on made-up runs, and the script itself on this
 * machine — the comparison path with the cpu engine against wasm, and the path of a machine where no GPU
 * engine loads (where one does, that case is skipped).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compare, summarize, TOLERANCE, type EngineRun } from './gpu-check';

const SCRIPT = join(__dirname, 'gpu-check.ts');
const gpuCheck = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' });

const run = (over: Partial<EngineRun> = {}): EngineRun => ({
  engine: 'wasm',
  describe: 'engine: wasm (SIMD, 1 thread)',
  loss: { total: 1.5, cls: 1.1, box: 0.4 },
  gradients: [0.5, -0.25, 0.125],
  variables: [['backbone/stem/conv/kernel', 2], ['head/cls/out/bias', 1]],
  outputs: [-4.6, -4.5, 0.1],
  stepMs: 1,
  inferMs: 1,
  ...over,
});

describe('gpu-check verdicts', () => {
  it('passes an engine within the tolerances and fails one outside, naming what differs and where', () => {
    const ref = run();
    const close = compare(run({ engine: 'tensorflow', loss: { total: 1.5 + 1e-4, cls: 1.1, box: 0.4 }, outputs: [-4.6, -4.5 + 1e-3, 0.1] }), ref);
    expect(close).toMatchObject({ pass: true, problems: [] });
    expect(close.diff.loss).toBeCloseTo(1e-4, 9);
    const off = compare(run({ engine: 'webgpu', gradients: [0.5, -0.25, 0.125 + 0.1] }), ref);
    expect(off.pass).toBe(false);
    expect(off.problems).toEqual([`gradients differ by 2.0e-1 of their scale (tolerance ${TOLERANCE.gradients}); worst: head/cls/out/bias`]);
  });

  it('fails tfjs-node-gpu that loaded without a GPU device (a silent fall-back to the CPU)', () => {
    const r = compare(run({ engine: 'tensorflow-gpu', usingGpu: false }), run());
    expect(r.problems).toEqual([expect.stringMatching(/^tfjs-node-gpu loaded but uses no GPU device/)]);
  });

  it('no engine loads: says so and exits 0; one fails: exit 1', () => {
    const none = summarize([
      { engine: 'tensorflow-gpu', status: 'unavailable', reason: 'not installed (npm i @tensorflow/tfjs-node-gpu)' },
      { engine: 'webgpu', status: 'unavailable', reason: 'failed to load: no WebGPU adapter' },
    ]);
    expect(none.exitCode).toBe(0);
    expect(none.text.split('\n').slice(1)).toEqual([
      '  tensorflow-gpu: does not load: not installed (npm i @tensorflow/tfjs-node-gpu)',
      '  webgpu: does not load: failed to load: no WebGPU adapter',
      'no GPU engine loads here (tensorflow-gpu, webgpu): nothing to check',
    ]);
    const crashed = summarize([{ engine: 'tensorflow-gpu', status: 'crashed', reason: 'Segmentation fault' }], run());
    expect(crashed.exitCode).toBe(1);
    expect(crashed.text).toMatch(/\n {2}tensorflow-gpu: FAIL: Segmentation fault\n1 of 1 engines FAIL$/);
  });
});

describe('npm run gpu-check on this machine', () => {
  it('compares an engine that loads with wasm: the cpu engine, one image per step, agrees', () => {
    const r = gpuCheck('--engines', 'cpu', '--batch', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n {2}wasm \(reference\): engine: wasm .*; loss \d+\.\d{6} /);
    expect(r.stdout).toMatch(/\n {2}cpu: pass: engine: cpu .*\n {4}max abs diff: loss \S+, gradients \S+, outputs \S+ /);
    expect(r.stdout).toMatch(/\nall 1 engines that load agree with wasm\n$/);
  });

  it('says which GPU engines do not load and why; where none does, "no GPU engine loads here", exit 0', () => {
    const r = gpuCheck();
    for (const engine of ['tensorflow-gpu', 'tensorflow', 'webgpu']) {
      // each engine either does not load (with its reason) or is compared with wasm
      expect(r.stdout).toMatch(new RegExp(`\\n {2}${engine}: (does not load: (not installed \\(npm i \\S+\\)|failed to load: .+)|pass: engine: ${engine} |FAIL: )`));
    }
    if (/does not load/.test(r.stdout) && !/: (pass|FAIL): /.test(r.stdout)) {
      // this machine (no GPU, no working native TensorFlow)
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\nno GPU engine loads here \(tensorflow-gpu, tensorflow, webgpu\): nothing to check\n$/);
    } else {
      expect(r.stdout).toMatch(/\n {2}wasm \(reference\): /);
      expect(r.status).toBe(/ FAIL: /.test(r.stdout) ? 1 : 0);
    }
  });

  it('bad flags exit 2 with one line', () => {
    expect(gpuCheck('--engines', 'wasm')).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/^gpu-check: --engines: give a comma-separated list of tensorflow-gpu, tensorflow, webgpu, cpu \(got 'wasm'\)\n$/) });
  });
});
