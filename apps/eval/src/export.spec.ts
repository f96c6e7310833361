/**
 * `retina-eval export`: a saved model written for a web page (model.json + shards, the detector's
 * config in it), the folder replaced atomically, and one-line errors (exit 2) for bad input.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectEngine } from '@retina/engine/node';
import { createRetinaNet, loadRetinaNet, saveRetinaNet, type RetinaNetConfigInput } from '@retina/retinanet/node';
import { parseCommandLine, run } from './cli';
import { exportExamples } from './export-command';
import { capture } from './__fixtures__/capture';

let dir: string;
let model: string;
const CONFIG: RetinaNetConfigInput & { categories: { id: number; name: string }[] } = {
  numClasses: 2,
  categories: [{ id: 4, name: 'cat' }, { id: 9, name: 'dog' }],
  seed: 3,
  backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] },
  fpn: { channels: 8 },
  head: { channels: 8, convs: 1 },
  testSize: { shortSide: 96, maxSize: 160 },
  postprocess: { scoreThresh: 0.1, nmsIou: 0.45, maxDetections: 7 },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-eval-export-'));
  await selectEngine({ backend: 'cpu' });
  const net = createRetinaNet(CONFIG);
  model = join(dir, 'model');
  await saveRetinaNet(net, model);
  net.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const weights = async (path: string) => {
  const net = await loadRetinaNet(path);
  const w = net.store.all().map((p) => [p.name, Array.from(p.variable.dataSync())]);
  net.dispose();
  return w;
};

describe('retina-eval export', () => {
  it('writes model.json (weights manifest + the detector config) and its shards; lists them on stdout, sums up on stderr', async () => {
    const out = join(dir, 'site', 'model');
    const io = capture();
    expect(await run(['export', '--model', model, '--out', out], io)).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(io.stdout).toEqual([join(out, 'group1-shard1of1.bin'), join(out, 'model.json')]);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    const config = json.userDefinedMetadata.config;
    expect(config.categories).toEqual(CONFIG.categories);
    expect(config.testSize).toEqual({ shortSide: 96, maxSize: 160 });
    expect(config.postprocess).toEqual({ scoreThresh: 0.1, nmsIou: 0.45, maxDetections: 7, topK: 1000 });
    expect(config.normalization).toEqual({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
    expect(config.anchors.levels).toEqual([3, 4, 5, 6, 7]);
    expect(io.stderr[io.stderr.length - 1]).toMatch(
      new RegExp(`^retina-eval: exported ${model} to ${out} \\(model.json \\+ 1 weight shard, \\d+\\.\\d MiB\\): 2 classes \\(cat, dog\\), test size 96/160 px, P3–P7 anchors, score ≥ 0.1, NMS IoU 0.45, at most 7 per image, normalisation mean \\[123.675,116.28,103.53\\] std \\[58.395,57.12,57.375\\]$`),
    );
    expect(await weights(out)).toEqual(await weights(model));
  });

  it('replaces a previous export in place', async () => {
    const out = join(dir, 'again');
    expect(await run(['export', '--model', model, '--out', out], capture())).toBe(0);
    writeFileSync(join(out, 'group1-shard1of1.bin'), 'damaged');
    expect(await run(['export', '--model', model, '--out', out], capture())).toBe(0);
    expect(await weights(out)).toEqual(await weights(model));
    expect(readdirSync(dir).filter((f) => f.startsWith('again.'))).toEqual([]); // no staging or old copy left
  });

  it('refuses a folder holding other files (it would be replaced), with one line and exit 2, leaving it untouched', async () => {
    const out = join(dir, 'documents');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me');
    const io = capture();
    expect(await run(['export', '--model', model, '--out', out], io)).toBe(2);
    expect(io.stderr).toEqual([expect.any(String), `retina-eval: ${out}: exists and holds files but no model.json; the export replaces the whole folder, so name a new or empty folder (or a previous export)`]);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it('names the missing model.json of a bad --model (exit 2), and needs --model and --out', async () => {
    const io = capture();
    expect(await run(['export', '--model', join(dir, 'nope'), '--out', join(dir, 'x')], io)).toBe(2);
    expect(io.stderr[io.stderr.length - 1]).toBe(`retina-eval: ${join(dir, 'nope', 'model.json')}: missing (not a saved model directory)`);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const missing = capture();
    expect(await run(['export', '--model', model], missing)).toBe(2);
    expect(missing.stderr).toEqual(['retina-eval: Missing required argument: out']);
  });

  it('shows its example in --help, and the example parses', async () => {
    const help = await parseCommandLine(['export', '--help']);
    expect('help' in help && help.help.replace(/\s+/g, ' ')).toContain('retina-eval export --model runs/demo/model --out site/model');
    for (const [cmd] of exportExamples) expect('runner' in (await parseCommandLine(cmd.split(' ').slice(1)))).toBe(true);
  });
});
