/**
 * retina-train as users run it (a child process): the conventions the three CLIs share — `-h` and
 * `--version`, the log on stderr and the result on stdout, `--json-log` as JSON lines only — and a
 * library's user error reaching the user as one line with exit 2.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { saveTensors, selectEngine } from '@retina/engine/node';
import { errorLines, retinaTrain, tinyRun } from './__fixtures__/cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'retina-train-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retina-train command-line conventions', () => {
  it('-h prints the help and --version the package version, on stdout, exit 0', () => {
    const help = retinaTrain(['-h']);
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^retina-train --train-ann A\.json[\s\S]*--pretrained[\s\S]*Examples:/);
    const version = retinaTrain(['--version']);
    const { version: expected } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    expect(version).toMatchObject({ status: 0, stdout: `${expected}\n`, stderr: '' });
  });

  it('--json-log: stdout holds only JSON lines, each with a `kind`, the last one `done`; no best AP without validation', () => {
    const r = retinaTrain(tinyRun(join(dir, 'json'), ['--json-log']));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const records = r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(records.every((x) => typeof x.kind === 'string' && !('event' in x))).toBe(true);
    expect(records.filter((x) => x.kind === 'step').map((x) => x.iteration)).toEqual([1, 2]);
    expect(records.some((x) => x.kind === 'info' && /^engine: wasm/.test(x.message))).toBe(true);
    const done = records[records.length - 1];
    expect(done).toEqual({ kind: 'done', reason: 'finished', iterations: 2, model: join(dir, 'json', 'model'), checkpoints: join(dir, 'json', 'checkpoints'), metrics: join(dir, 'json', 'metrics.jsonl'), results: join(dir, 'json', 'results.csv'), plots: join(dir, 'json', 'plots') });
  });

  it('without --json-log: the log on stderr, only the result on stdout', () => {
    const r = retinaTrain(tinyRun(join(dir, 'text'), ['--quiet']));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^engine: wasm[\s\S]*\nepoch 1\/2: loss/);
    expect(r.stdout).toBe(`done (finished): 2 iterations\n  model: ${join(dir, 'text', 'model')}\n  checkpoints: ${join(dir, 'text', 'checkpoints')}\n` +
      `  metrics: ${join(dir, 'text', 'metrics.jsonl')}, ${join(dir, 'text', 'results.csv')}\n  plots: ${join(dir, 'text', 'plots')}\n`);
  });

  it("a library's user error — --init-from a directory that is not a saved RetinaNet — is one line naming model.json, exit 2", async () => {
    await selectEngine({ backend: 'cpu' });
    const notRetinaNet = join(dir, 'not-retinanet');
    const t = tf.zeros([2, 2]);
    await saveTensors(notRetinaNet, { 'dense/kernel': t });
    t.dispose();
    const r = retinaTrain(tinyRun(join(dir, 'init'), ['--init-from', notRetinaNet]));
    expect(r.status).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^retina-train: .*not-retinanet\/model\.json: not a saved RetinaNet \(metadata format undefined, expected retina-retinanet\/1\)$/)]);
  });
});
