/**
 * Pretrained weights from a real tfjs LayersModel directory (built with tfjs-layers, Keras ResNet
 * layer names, saved through @retina/engine's I/O): matched weights load, conv biases fold into BN,
 * and missing / unused / shape-mismatched weights are reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystemIO, loadTensors } from '@retina/engine/node';
import { PretrainedWeightsError, assignPretrainedBackbone, createBackbone, kerasResNetName, loadPretrainedBackbone } from './node';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'pretrained-'));
  // stem (7×7/2 conv + BN) of a width-4 ResNet, a first block conv of the wrong width, and an fc layer
  const input = tfl.input({ shape: [32, 32, 3] });
  let h = tfl.layers.conv2d({ name: 'conv1_conv', filters: 4, kernelSize: 7, strides: 2, padding: 'same', biasInitializer: 'randomNormal' }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'conv1_bn', movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones', gammaInitializer: 'randomNormal' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ name: 'conv2_block1_1_conv', filters: 5, kernelSize: 3, padding: 'same' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: 'predictions', units: 2 }).apply(tfl.layers.flatten().apply(h)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: h });
  await model.save(fileSystemIO(join(dir, 'keras')));
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kerasResNetName', () => {
  it('maps our names to Keras applications ResNet layer names', () => {
    expect(kerasResNetName('backbone/stem/conv/kernel')).toBe('conv1_conv/kernel');
    expect(kerasResNetName('backbone/stem/bn/mean')).toBe('conv1_bn/moving_mean');
    expect(kerasResNetName('backbone/stage3/block5/conv3/bn/variance')).toBe('conv4_block6_3_bn/moving_variance');
    expect(kerasResNetName('backbone/stage2/block0/shortcut/conv/kernel')).toBe('conv3_block1_0_conv/kernel');
    expect(kerasResNetName('fpn/lateral3/kernel')).toBeUndefined();
  });
});

describe('loadPretrainedBackbone / assignPretrainedBackbone', () => {
  it('loads matching weights, folds conv biases into BN and reports the rest', async () => {
    const { tensors } = await loadTensors(join(dir, 'keras'));
    const src = (n: string) => Object.entries(tensors).find(([k]) => k.endsWith(n))![1];
    const backbone = createBackbone({ depth: 'narrow', width: 4, blocks: [1, 1, 1, 1] });
    const report = await loadPretrainedBackbone(backbone, join(dir, 'keras'));
    expect(report.loaded.sort()).toEqual(['backbone/stem/bn/beta', 'backbone/stem/bn/gamma', 'backbone/stem/bn/mean', 'backbone/stem/bn/variance', 'backbone/stem/conv/kernel']);
    expect(Array.from(backbone.store.get('backbone/stem/conv/kernel')!.variable.dataSync())).toEqual(Array.from(src('conv1_conv/kernel').dataSync()));
    // BN(conv + b) ≡ BN with mean − b
    const mean = backbone.store.get('backbone/stem/bn/mean')!.variable.dataSync();
    const want = tf.sub(src('conv1_bn/moving_mean'), src('conv1_conv/bias')).dataSync();
    mean.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    expect(report.foldedBiases).toEqual(['conv1_conv/bias']);
    expect(report.shapeMismatched).toEqual([{ name: 'backbone/stage1/block0/conv1/conv/kernel', source: 'conv2_block1_1_conv/kernel', expected: [3, 3, 4, 4], got: [3, 3, 4, 5] }]);
    expect(report.unused.sort()).toEqual(['conv2_block1_1_conv/bias', 'predictions/bias', 'predictions/kernel']);
    expect(report.missing).toContain('backbone/stage4/block0/conv2/bn/gamma');
    expect(report.missing).not.toContain('backbone/stem/conv/kernel');
    tf.dispose(Object.values(tensors));
    backbone.store.dispose();
  });

  it('assignPretrainedBackbone (the browser-safe part) does the same from tensors in memory, leaving them to the caller', async () => {
    const { tensors } = await loadTensors(join(dir, 'keras'));
    const fromDir = createBackbone({ depth: 'narrow', width: 4, blocks: [1, 1, 1, 1] });
    const fromMemory = createBackbone({ depth: 'narrow', width: 4, blocks: [1, 1, 1, 1] });
    const expected = await loadPretrainedBackbone(fromDir, join(dir, 'keras'));
    expect(assignPretrainedBackbone(fromMemory, tensors, 'memory')).toEqual(expected);
    for (const p of fromDir.store.all()) expect(Array.from(fromMemory.store.get(p.name)!.variable.dataSync())).toEqual(Array.from(p.variable.dataSync()));
    expect(Object.values(tensors).every((t) => !t.isDisposed)).toBe(true);
    expect(() => assignPretrainedBackbone(fromMemory, tensors, 'weights from memory', { strict: true })).toThrow(/^weights from memory: backbone weights do not fit: /);
    tf.dispose(Object.values(tensors));
    fromDir.store.dispose();
    fromMemory.store.dispose();
  });

  it('throws in strict mode, naming the file and the first problems', async () => {
    const backbone = createBackbone({ depth: 'narrow', width: 4, blocks: [1, 1, 1, 1] });
    await expect(loadPretrainedBackbone(backbone, join(dir, 'keras'), { strict: true })).rejects.toThrow(PretrainedWeightsError);
    await expect(loadPretrainedBackbone(backbone, join(dir, 'keras'), { strict: true })).rejects.toThrow(/keras\/model\.json: backbone weights do not fit: \d+ missing .*3 unused .*1 shape-mismatched \(conv2_block1_1_conv\/kernel \[3,3,4,5\] for \[3,3,4,4\]\)/);
    backbone.store.dispose();
  });
});
