/**
 * `loadRetinaNetFromUrl`: a saved model directory served over HTTP (a local node:http server, as a
 * browser would fetch it) rebuilds the same detector as `loadRetinaNet` reads from the directory;
 * HTTP errors, truncated shards and foreign metadata name the URL.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ModelFormatError, saveTensors } from '@retina/engine/node';
import { RetinaNetModelError, createRetinaNet, loadRetinaNetFromUrl, savedForm, saveRetinaNet, type RetinaNet } from './node';

let dir: string;
let server: Server;
let base: string;
let net: RetinaNet;
const requests: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'retinanet-url-'));
  net = createRetinaNet({ numClasses: 2, categories: [{ id: 1, name: 'a' }, { id: 5, name: 'b' }], seed: 4, backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] }, fpn: { channels: 8 }, head: { channels: 8, convs: 1 } });
  await saveRetinaNet(net, join(dir, 'one'));
  // the same model in shards of 4000 bytes: many files to fetch and join
  const { tensors, metadata } = savedForm(net);
  await saveTensors(join(dir, 'sharded'), tensors, metadata, { shardBytes: 4000 });
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    try {
      res.end(readFileSync(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))));
    } catch {
      res.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  net.dispose();
  await new Promise((ok) => server.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

const outputs = (n: RetinaNet) => tf.tidy(() => {
  const { logits, deltas } = n.forward(tf.randomUniform([1, 128, 128, 3], 0, 255, 'float32', 7) as tf.Tensor4D);
  return [Array.from(logits.dataSync()), Array.from(deltas.dataSync())];
});

describe('loadRetinaNetFromUrl', () => {
  it.each(['one', 'sharded'])('rebuilds the saved detector from %s/model.json over HTTP: same config, weights and outputs', async (name) => {
    requests.length = 0;
    const loaded = await loadRetinaNetFromUrl(`${base}/${name}/model.json`);
    try {
      expect(loaded.config).toEqual(net.config);
      expect(loaded.store.all().map((p) => [p.name, Array.from(p.variable.dataSync())])).toEqual(net.store.all().map((p) => [p.name, Array.from(p.variable.dataSync())]));
      expect(outputs(loaded)).toEqual(outputs(net));
      const shards = JSON.parse(readFileSync(join(dir, name, 'model.json'), 'utf8')).weightsManifest[0].paths as string[];
      if (name === 'one') expect(shards.length).toBe(1);
      else expect(shards.length).toBeGreaterThan(3);
      expect(requests.sort()).toEqual([`/${name}/model.json`, ...shards.map((s) => `/${name}/${s}`)].sort());
    } finally {
      loaded.dispose();
    }
  });

  it('leaves no tensor behind but the model’s own variables', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadRetinaNetFromUrl(`${base}/one/model.json`);
    expect(tf.memory().numTensors - before).toBe(loaded.store.all().length);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const loaded = await loadRetinaNetFromUrl(`${base}/one/model.json`, { fetch: (u) => (seen.push(u), fetch(u)) });
    loaded.dispose();
    expect(seen[0]).toBe(`${base}/one/model.json`);
    expect(seen.length).toBe(2);
  });

  it('names the URL of a missing model.json, with the HTTP status', async () => {
    await expect(loadRetinaNetFromUrl(`${base}/nothing/model.json`)).rejects.toThrow(ModelFormatError);
    await expect(loadRetinaNetFromUrl(`${base}/nothing/model.json`)).rejects.toThrow(`${base}/nothing/model.json: HTTP 404 Not Found`);
  });

  it('names the shard of a truncated group before making any tensor', async () => {
    mkdirSync(join(dir, 'cut'));
    writeFileSync(join(dir, 'cut', 'model.json'), readFileSync(join(dir, 'one', 'model.json')));
    writeFileSync(join(dir, 'cut', 'group1-shard1of1.bin'), readFileSync(join(dir, 'one', 'group1-shard1of1.bin')));
    truncateSync(join(dir, 'cut', 'group1-shard1of1.bin'), 100);
    const before = tf.memory().numTensors;
    await expect(loadRetinaNetFromUrl(`${base}/cut/model.json`)).rejects.toThrow(
      new RegExp(`^${base}/cut/group1-shard1of1.bin: expected \\d+ bytes for weights \\[backbone/stem/conv/kernel, .*\\], found 100 \\(truncated\\?\\)$`),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses weights whose metadata is not a RetinaNet, naming the URL', async () => {
    await saveTensors(join(dir, 'other'), { w: tf.ones([2]) }, { format: 'something-else' });
    await expect(loadRetinaNetFromUrl(`${base}/other/model.json`)).rejects.toThrow(RetinaNetModelError);
    await expect(loadRetinaNetFromUrl(`${base}/other/model.json`)).rejects.toThrow(`${base}/other/model.json: not a saved RetinaNet (metadata format "something-else", expected retina-retinanet/1)`);
  });

  it('refuses a relative URL where there is no page to resolve it against', async () => {
    await expect(loadRetinaNetFromUrl('model/model.json')).rejects.toThrow('model/model.json: not a valid URL (give an absolute URL, or a relative one inside a page)');
  });
});
