import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystemIO, loadTensors, ModelFormatError, readMetadata, removeStaleStaging, saveTensors, SHARD_BYTES, type FileWriter } from './node';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'retina-io-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Raw bytes of a typed array (NaN payloads and -0 compared exactly); a Buffer compares fast where toEqual on 1M numbers does not. */
const bits = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** float32 values with special bit patterns: NaN with a payload, -0, ±Inf, the smallest subnormal. */
function specialFloats(): Float32Array {
  const u = Uint32Array.from([0x7fc00001, 0xffc12345, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff, 0xbfc00000]);
  return new Float32Array(u.buffer);
}

async function loadError(dir: string): Promise<Error> {
  const err = await loadTensors(dir).then(
    () => new Error('loaded'),
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(ModelFormatError);
  expect(err.message).not.toContain('\n');
  return err;
}

describe('saveTensors / loadTensors', () => {
  it('round-trips float32 (NaN payloads, -0, Inf), int32 and bool bit-exactly across 4 MiB shards', async () => {
    const special = specialFloats();
    const big = new Float32Array(SHARD_BYTES / 4 + 1000).map((_, i) => Math.sin(i));
    const tensors = {
      'a/special': tf.tensor1d(special),
      'b/big': tf.tensor1d(big),
      'c/int': tf.tensor2d([1, -2, 2147483647, -2147483648], [2, 2], 'int32'),
      'd/bool': tf.tensor1d([true, false, true], 'bool'),
    };
    await saveTensors(join(root, 'm'), tensors, { note: 'hello', nested: { k: [1, 2] } });
    expect(readdirSync(join(root, 'm')).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    expect(readFileSync(join(root, 'm', 'group1-shard1of2.bin')).byteLength).toBe(SHARD_BYTES);
    const { tensors: back, metadata } = await loadTensors(join(root, 'm'));
    expect(metadata).toEqual({ note: 'hello', nested: { k: [1, 2] } });
    expect(readMetadata(join(root, 'm'))).toEqual(metadata);
    expect(bits(back['a/special'].dataSync() as Float32Array)).toEqual(bits(special));
    expect(bits(back['b/big'].dataSync() as Float32Array).equals(bits(big))).toBe(true);
    expect([back['c/int'].dtype, back['c/int'].shape, Array.from(back['c/int'].dataSync())]).toEqual(['int32', [2, 2], [1, -2, 2147483647, -2147483648]]);
    expect([back['d/bool'].dtype, Array.from(back['d/bool'].dataSync())]).toEqual(['bool', [1, 0, 1]]);
    tf.dispose([...Object.values(tensors), ...Object.values(back)]);
  });

  it('splits into shards of shardBytes that stock tfjs (weightsLoaderFactory) reads back', async () => {
    const w = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor1d([7, 8], 'int32');
    await saveTensors(join(root, 'm'), { w, b }, undefined, { shardBytes: 10 });
    expect(readdirSync(join(root, 'm')).filter((f) => f.endsWith('.bin'))).toHaveLength(4); // 32 bytes / 10
    const json = JSON.parse(readFileSync(join(root, 'm', 'model.json'), 'utf8'));
    const fetchShards = async (paths: string[]) => paths.map((p) => new Uint8Array(readFileSync(p)).buffer);
    const read = await tf.io.weightsLoaderFactory(fetchShards)(json.weightsManifest, `${join(root, 'm')}/`);
    expect(Array.from(read.w.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(read.b.dataSync())).toEqual([7, 8]);
    tf.dispose([w, b, ...Object.values(read)]);
  });

  it('reads a hand-written tfjs directory with two shard groups', async () => {
    const dir = join(root, 'hand');
    mkdirSync(dir);
    const manifest = [
      { paths: ['a.bin'], weights: [{ name: 'x', shape: [2], dtype: 'float32' }] },
      { paths: ['b1.bin', 'b2.bin'], weights: [{ name: 'y', shape: [3], dtype: 'int32' }, { name: 'z', shape: [], dtype: 'bool' }] },
    ];
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', weightsManifest: manifest }));
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(Float32Array.from([0.5, -2]).buffer));
    const y = new Uint8Array(Int32Array.from([3, -4, 5]).buffer);
    writeFileSync(join(dir, 'b1.bin'), y.subarray(0, 5));
    writeFileSync(join(dir, 'b2.bin'), Uint8Array.from([...y.subarray(5), 1]));
    const { tensors, metadata } = await loadTensors(dir);
    expect(metadata).toBeUndefined();
    expect([Array.from(tensors.x.dataSync()), Array.from(tensors.y.dataSync()), Array.from(tensors.z.dataSync())]).toEqual([[0.5, -2], [3, -4, 5], [1]]);
    tf.dispose(Object.values(tensors));
  });

  it('saves and loads a tfjs-layers model through fileSystemIO with the same predictions', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation: 'relu' }), tfl.layers.dense({ units: 2 })] });
    await model.save(fileSystemIO(join(root, 'layers')));
    const back = await tfl.loadLayersModel(fileSystemIO(join(root, 'layers')));
    const x = tf.tensor2d([[1, -2, 3, 0.5]]);
    const [p, q] = [model.predict(x) as tf.Tensor, back.predict(x) as tf.Tensor];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
    model.dispose();
    back.dispose();
  });

  it('refuses to save what it could not load: string weights, data not matching its specs, a bad shard size', async () => {
    const s = tf.tensor1d(['a', 'bc'], 'string');
    await expect(saveTensors(join(root, 's'), { s })).rejects.toThrow(/s[/\\]model\.json: weight 's' has unknown dtype 'string'/);
    const artifacts = { weightSpecs: [{ name: 'w', shape: [3], dtype: 'float32' as const }], weightData: new ArrayBuffer(8) };
    await expect(fileSystemIO(join(root, 'w')).save!(artifacts)).rejects.toThrow(/model\.json: weight data has 8 bytes but its specs need 12$/);
    expect(() => fileSystemIO(join(root, 'w'), { shardBytes: 0 })).toThrow(ModelFormatError);
    expect(readdirSync(root)).toEqual([]);
    s.dispose();
  });

  it('leaks no tensors across save/load', async () => {
    const t = { w: tf.ones([10]) };
    await saveTensors(join(root, 'm'), t);
    tf.dispose(Object.values((await loadTensors(join(root, 'm'))).tensors));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await saveTensors(join(root, 'm'), t);
      tf.dispose(Object.values((await loadTensors(join(root, 'm'))).tensors));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(t.w);
  });
});

describe('loading a damaged directory: one-line ModelFormatError naming the file', () => {
  const names = Array.from({ length: 5 }, (_, i) => `conv${i}/kernel`);
  beforeEach(async () => {
    const t = Object.fromEntries(names.map((n) => [n, tf.ones([4, 4])]));
    await saveTensors(join(root, 'm'), t);
    tf.dispose(Object.values(t));
  });
  const shard = () => join(root, 'm', 'group1-shard1of1.bin');
  const json = () => join(root, 'm', 'model.json');

  it('truncated or oversized shard', async () => {
    truncateSync(shard(), 100);
    expect((await loadError(join(root, 'm'))).message).toMatch(
      /[/\\]m[/\\]group1-shard1of1\.bin: expected 320 bytes for weights \[conv0\/kernel, conv1\/kernel, conv2\/kernel, …\], found 100 \(truncated\?\)$/,
    );
    truncateSync(shard(), 320);
    appendFileSync(shard(), 'xy');
    expect((await loadError(join(root, 'm'))).message).toMatch(/found 322 \(extra data\)$/);
  });

  it('missing shard, broken JSON, unknown dtype, duplicate name, path outside the directory, no directory', async () => {
    const good = readFileSync(json(), 'utf8');
    const cases: [string, RegExp][] = [
      [good.replace('group1-shard1of1.bin', 'gone.bin'), /[/\\]gone\.bin: missing weight shard$/],
      ['{ not json', /model\.json: not valid JSON/],
      [good.replace('"float32"', '"float16"'), /model\.json: weight 'conv0\/kernel' has unknown dtype 'float16'/],
      [good.replace('conv1/kernel', 'conv0/kernel'), /model\.json: weight 'conv0\/kernel' is listed twice$/],
      [good.replace('group1-shard1of1.bin', '../x.bin'), /model\.json: weightsManifest\[0\]: shard path "\.\.\/x\.bin" must be a plain file name$/],
      ['[]', /model\.json: must hold a JSON object$/],
      ['{}', /model\.json: has no "weightsManifest" list$/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(json(), text);
      expect((await loadError(join(root, 'm'))).message).toMatch(message);
    }
    expect((await loadError(join(root, 'nothing'))).message).toMatch(/nothing[/\\]model\.json: missing \(not a saved model directory\)$/);
  });
});

describe('atomic replacement', () => {
  /** Writes normally until the `failAt`-th file, which is half written and then fails (a full disk). */
  function failingWriter(failAt: number): FileWriter {
    let n = 0;
    return async (path, data) => {
      if (++n < failAt) return writeFileSync(path, data);
      writeFileSync(path, typeof data === 'string' ? data.slice(0, 3) : data.subarray(0, 3));
      throw new Error(`ENOSPC: no space left on device, write '${path}'`);
    };
  }

  it('keeps the old model intact and leaves no temp dirs when a save fails midway', async () => {
    const old = { w: tf.tensor1d([1, 2, 3, 4]) };
    await saveTensors(join(root, 'm'), old, { v: 1 });
    const next = { w: tf.tensor1d([9, 9, 9, 9]) };
    for (const failAt of [1, 2, 3]) {
      await expect(saveTensors(join(root, 'm'), next, { v: 2 }, { shardBytes: 8, writeFile: failingWriter(failAt) })).rejects.toThrow(/ENOSPC/);
      expect(readdirSync(root)).toEqual(['m']);
      const { tensors, metadata } = await loadTensors(join(root, 'm'));
      expect([Array.from(tensors.w.dataSync()), metadata]).toEqual([[1, 2, 3, 4], { v: 1 }]);
      tf.dispose(tensors.w);
    }
    tf.dispose([old.w, next.w]);
  });

  it('loads the previous copy after a crash between the two renames; the next save clears it', async () => {
    const t = { w: tf.tensor1d([7]) };
    await saveTensors(join(root, 'm'), t);
    renameSync(join(root, 'm'), join(root, 'm.old-123-x-y')); // the crash: old copy moved away, new one not in
    const { tensors } = await loadTensors(join(root, 'm'));
    expect(Array.from(tensors.w.dataSync())).toEqual([7]);
    await saveTensors(join(root, 'm'), t);
    expect(readdirSync(root)).toEqual(['m']);
    tf.dispose([t.w, tensors.w]);
  });

  it('removeStaleStaging removes the staging dirs of dead writers only', () => {
    const dead = join(root, 'last.staging-2147483646-a-b'); // no such pid
    const live = join(root, `best.staging-${process.pid}-a-b`);
    [dead, live].forEach((d) => mkdirSync(d));
    removeStaleStaging(root);
    expect([existsSync(dead), existsSync(live)]).toEqual([false, true]);
  });
});
