import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli';

const TRAIN = join(__dirname, '..', '..', '..', 'data', 'raccoon', 'annotations', 'instances_train.json');
const IMAGES = join(__dirname, '..', '..', '..', 'data', 'raccoon', 'images');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('retina-tools anchors', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'anchors-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the coverage table for the bundled raccoon data and writes the JSON report atomically', async () => {
    const out = join(dir, 'nested', 'report.json');
    const r = await run(['anchors', '--ann', TRAIN, '--images', IMAGES, '--out', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^instances_train\.json: 160 images, 175 boxes\nresized: shorter side 800, longer side ≤ 1333, padded to a multiple of 128\n/);
    expect(r.stdout).toContain('anchors: --strides 8 16 32 64 128 --sizes 32 64 128 256 512 --scales 1 1.26 1.587 --ratios 0.5 1 2 (9 per location)');
    expect(r.stdout).toMatch(/\nall boxes +175 +\d+\.\d% +\d+\.\d% +0\.\d{3}\n/);
    expect(r.stdout).toMatch(/\nunmatched \(best IoU < 0\.4\): \d+ of 175 boxes/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ images: 160, boxes: 175, resize: { imageSize: 800, maxSize: 1333, padMultiple: 128 }, config: { strides: [8, 16, 32, 64, 128] }, suggestion: null });
    expect(report.coverage.byCocoSize.map((b: { boxes: number }) => b.boxes).reduce((a: number, b: number) => a + b)).toBe(175);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['report.json']);
  });

  it('--suggest shows coverage given → suggested and the flags of the suggestion, which reproduce it', async () => {
    const out = join(dir, 'suggest.json');
    const r = await run(['anchors', '--ann', TRAIN, '--suggest', '--seed', '3', '--out', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/\nsuggested \(k-means on 1 − IoU, seed 3, 4 restarts over 175 boxes\)/);
    expect(r.stdout).toMatch(/\nall boxes +175 +[\d.]+% → [\d.]+% +[\d.]+% → [\d.]+% +0\.\d{3} → 0\.\d{3}\n/);
    const { suggestion } = JSON.parse(readFileSync(out, 'utf8'));
    const again = await run(['anchors', '--ann', TRAIN, ...suggestion.flags.split(' '), '--out', join(dir, 'again.json')]);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')).coverage).toEqual(suggestion.coverage);
    // …and the retina-train flags of the same anchors, which the trainer accepts and builds its detector with
    expect(r.stdout).toContain(`retina-train flags that train with it:\n  ${suggestion.trainFlags}\n`);
    const train = spawnSync(process.execPath, [
      '--import', 'tsx', join(__dirname, '..', '..', '..', 'apps', 'train', 'src', 'main.ts'),
      '--train-ann', TRAIN, '--train-images', IMAGES, '--out', join(dir, 'run'), '--iterations', '1', '--max-images', '2', '--batch-size', '1',
      '--image-size', '128', '--max-size', '128', '--width', '8', '--fpn-channels', '8', '--head-convs', '0', '--threads', '1', '--quiet', '--backend', 'wasm',
      ...suggestion.trainFlags.split(' '),
    ], { encoding: 'utf8' });
    expect(train.stderr).not.toMatch(/internal error|warning|error:/); // stderr holds retina-train's log
    expect(train.status).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'run', 'model', 'model.json'), 'utf8')).userDefinedMetadata.config;
    const listAfter = (flag: string): number[] => {
      const words: string[] = suggestion.trainFlags.split(' ');
      const from = words.indexOf(flag) + 1;
      const to = words.findIndex((w, i) => i >= from && w.startsWith('--'));
      return words.slice(from, to < 0 ? undefined : to).map(Number);
    };
    expect(listAfter('--anchor-sizes')).toHaveLength(suggestion.config.sizes.length);
    expect(saved.anchors).toMatchObject({ baseSizes: listAfter('--anchor-sizes'), scales: listAfter('--anchor-scales'), ratios: listAfter('--anchor-ratios') });
  });

  it('changes the resize with --image-size / --max-size', async () => {
    const r = await run(['anchors', '--ann', TRAIN, '--image-size', '400', '--max-size', '600']);
    expect(r.stdout).toContain('resized: shorter side 400, longer side ≤ 600, padded to a multiple of 128\n');
  });

  it.each([
    [['--sizes'], /^error: --sizes: needs at least one value\n$/],
    [['--sizes', '32', '64'], /^error: --sizes: needs one base size per stride \(5 strides: 8 16 32 64 128; got 2 sizes: 32 64\)\n$/],
    [['--strides', '8', '16', '--sizes', '32', '64', '128'], /^error: --sizes: needs one base size per stride \(2 strides/],
    [['--scales', '1', '-1.5'], /^error: --scales: value 2 must be a finite number > 0 \(got -1.5\)\n$/],
    [['--ratios', '0', '1'], /^error: --ratios: value 1 must be a finite number > 0 \(got 0\)\n$/],
    [['--ratios', 'wide'], /^error: --ratios: value 1 must be a finite number > 0 \(got NaN\)\n$/],
    [['--strides', '0.5', '1'], /^error: --strides: value 1 must be a power of two from 1 to 4096 \(got 0.5\)\n$/],
    [['--strides', '8', '12'], /^error: --strides: value 2 must be a power of two from 1 to 4096 \(got 12\)\n$/],
    [['--image-size', '0'], /^error: --image-size: must be a finite number > 0 \(got 0\)\n$/],
    [['--offset', '1'], /^error: --offset: must be in \[0, 1\) \(got 1\)\n$/],
    [['--sizes', '1', '1', '1', '1', '1', '--scales', '0.5'], /^error: --sizes × --scales: 1 × 0.5 truncates to 0 px; anchors need at least 1 px\n$/],
  ])('rejects a bad config %j with one line and exit 2', async (flags, message) => {
    const r = await run(['anchors', '--ann', TRAIN, ...(flags as string[])]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(message) });
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('reports a missing or malformed annotation file and a missing images root with exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"images": [{"id": 1, "file_name": "a.jpg", "width": -5, "height": 10}], "annotations": [], "categories": []}');
    for (const args of [['--ann', join(dir, 'none.json')], ['--ann', bad], ['--ann', TRAIN, '--images', join(dir, 'no-images')]]) {
      const r = await run(['anchors', ...args]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/^error: .+\n$/);
    }
  });

  it('reports an --out path that cannot be written with exit 2 and leaves no temp file', async () => {
    const r = await run(['anchors', '--ann', TRAIN, '--out', dir]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^error: --out: cannot write .* \(EISDIR\)\n$/) });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
