/**
 * `retina-train --pretrained DIR` end to end: a Keras-named ResNet stem written here with tfjs-layers
 * (a LayersModel directory, as `tensorflowjs_converter --input_format keras` writes one) is loaded into
 * the resnet18 backbone, reported in one line, and is what the saved model holds after training with the
 * backbone frozen; a weight of the wrong shape, a missing directory or shard, and a backbone that cannot
 * take the weights each exit 2 with one line naming the file and tensor.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystemIO, loadTensors, saveTensors, selectEngine } from '@retina/engine/node';
import { createRetinaNet } from '@retina/retinanet';
import { errorLines, retinaTrain, tinyRun } from './__fixtures__/cli';
import { KERAS_RESNET_NORMALIZATION, loadPretrainedWeights } from './pretrained';

/**
 * The weights of `tf.keras.applications.ResNet50(include_top=False)` by name and shape, as Keras'
 * resnet.py builds them: conv1 (7×7), then stacks conv2..conv5 of 3, 4, 6, 3 bottleneck blocks
 * `convS_blockB_{1,2,3}` (1×1, 3×3, 1×1 to 4 × filters) with a `_0` 1×1 projection in each first block;
 * every conv with a bias, every batch norm with gamma, beta, moving_mean, moving_variance. Keras' width
 * is 64 (filters 64, 128, 256, 512); `width` scales them, for a test that need not move 94 MB.
 */
function kerasResNet50Weights(width = 64): [string, number[]][] {
  const weights: [string, number[]][] = [];
  const convBn = (name: string, k: number, cin: number, cout: number) => {
    weights.push([`${name}_conv/kernel`, [k, k, cin, cout]], [`${name}_conv/bias`, [cout]]);
    for (const f of ['gamma', 'beta', 'moving_mean', 'moving_variance']) weights.push([`${name}_bn/${f}`, [cout]]);
  };
  convBn('conv1', 7, 3, width);
  let cin = width;
  [[width, 3], [2 * width, 4], [4 * width, 6], [8 * width, 3]].forEach(([filters, blocks], s) => {
    for (let b = 1; b <= blocks; b++) {
      const block = `conv${s + 2}_block${b}`;
      if (b === 1) convBn(`${block}_0`, 1, cin, 4 * filters);
      convBn(`${block}_1`, 1, cin, filters);
      convBn(`${block}_2`, 3, filters, filters);
      convBn(`${block}_3`, 1, filters, 4 * filters);
      cin = 4 * filters;
    }
  });
  return weights;
}

/** A Keras applications ResNet's stem (conv1_conv 7×7/2 with bias, conv1_bn) and a classifier, saved as a LayersModel. */
async function kerasStem(dir: string, filters: number): Promise<void> {
  const input = tfl.input({ shape: [32, 32, 3] });
  let h = tfl.layers.conv2d({ name: 'conv1_conv', filters, kernelSize: 7, strides: 2, padding: 'same', biasInitializer: 'randomNormal' }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'conv1_bn', movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones', gammaInitializer: 'randomNormal' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: 'predictions', units: 3 }).apply(tfl.layers.flatten().apply(h)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: h });
  await model.save(fileSystemIO(dir));
  model.dispose();
}

const RESNET18 = ['--backbone', 'resnet18', '--norm', 'frozen-bn', '--freeze-backbone', '--iterations', '1'];

let dir: string;
let keras: string;
beforeAll(async () => {
  await selectEngine({ backend: 'cpu' });
  dir = mkdtempSync(join(tmpdir(), 'retina-train-pretrained-'));
  keras = join(dir, 'keras-resnet');
  await kerasStem(keras, 64);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retina-train --pretrained', () => {
  it('loads the Keras weights into the backbone (stem read as RGB, conv bias folded into BN), reports them in one line, and trains from them', async () => {
    const out = join(dir, 'run');
    const r = retinaTrain(tinyRun(out, ['--pretrained', keras, ...RESNET18, '--quiet']));
    expect(r.status).toBe(0);
    const report = r.stderr.split('\n').filter((l) => l.startsWith('pretrained:'));
    expect(report).toEqual([
      expect.stringMatching(new RegExp(`^pretrained: 5 of \\d+ backbone tensors loaded from ${keras} \\(1 conv biases folded into batch norm; stem read as RGB\\), \\d+ missing \\(kept at their initial values: backbone/stage1/.*\\), 2 unused \\(predictions/kernel, predictions/bias\\)$`)),
    ]);
    const source = await loadTensors(keras);
    const saved = await loadTensors(join(out, 'model'));
    const src = (name: string) => source.tensors[Object.keys(source.tensors).find((k) => k.endsWith(name))!];
    // the frozen backbone keeps the loaded weights through training
    expect(saved.tensors['backbone/stem/conv/kernel'].arraySync()).toEqual(tf.reverse(src('conv1_conv/kernel'), 2).arraySync());
    expect(saved.tensors['backbone/stem/bn/gamma'].arraySync()).toEqual(src('conv1_bn/gamma').arraySync());
    const mean = saved.tensors['backbone/stem/bn/mean'].dataSync();
    const want = tf.sub(src('conv1_bn/moving_mean'), src('conv1_conv/bias')).dataSync();
    mean.forEach((m, i) => expect(m).toBeCloseTo(want[i], 5));
    // Keras' preprocessing, saved with the model for retina-eval
    const config = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8')).userDefinedMetadata.config;
    expect(config.normalization).toEqual(KERAS_RESNET_NORMALIZATION);
    tf.dispose([...Object.values(source.tensors), ...Object.values(saved.tensors)]);
  });

  it("a Keras ResNet50 without its top fills every tensor of the resnet50 backbone (the README's line)", async () => {
    const dir50 = join(dir, 'keras-resnet50');
    // a quarter of Keras' width: the same 318 weights (265 tensors of ours + 53 conv biases), 1/16 of the bytes
    const tensors = Object.fromEntries(kerasResNet50Weights(16).map(([name, shape]) => [`resnet50/${name}`, tf.zeros(shape)]));
    await saveTensors(dir50, tensors);
    tf.dispose(Object.values(tensors));
    const net = createRetinaNet({ numClasses: 1, backbone: { depth: 50, width: 16 }, fpn: { channels: 16 }, head: { convs: 1, channels: 16 } });
    try {
      expect(await loadPretrainedWeights(net, dir50)).toBe(`pretrained: 265 of 265 backbone tensors loaded from ${dir50} (53 conv biases folded into batch norm; stem read as RGB), 0 missing, 0 unused`);
    } finally {
      net.dispose();
    }
  });

  it('a weight of the wrong shape exits 2 with one line naming the file and the tensor', async () => {
    const narrow = join(dir, 'keras-32');
    await kerasStem(narrow, 32);
    const r = retinaTrain(tinyRun(join(dir, 'shape'), ['--pretrained', narrow, ...RESNET18]));
    expect(r.status).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      `retina-train: ${narrow}/model.json: weight 'conv1_conv/kernel' has shape [7,7,3,32], backbone parameter 'backbone/stem/conv/kernel' needs [7,7,3,64] (and 4 more mismatched); is it the --backbone the weights were trained for?`,
    ]);
  });

  it('a missing directory or weight file exits 2 with one line naming the file', async () => {
    const absent = join(dir, 'absent');
    const r = retinaTrain(tinyRun(join(dir, 'absent-run'), ['--pretrained', absent, ...RESNET18]));
    expect(r.status).toBe(2);
    expect(errorLines(r.stderr)).toEqual([`retina-train: ${absent}/model.json: missing (not a saved model directory)`]);

    const noShard = join(dir, 'no-shard');
    cpSync(keras, noShard, { recursive: true });
    const shard = readdirSync(noShard).find((f) => f.endsWith('.bin'))!;
    rmSync(join(noShard, shard));
    const s = retinaTrain(tinyRun(join(dir, 'no-shard-run'), ['--pretrained', noShard, ...RESNET18]));
    expect(s.status).toBe(2);
    expect(errorLines(s.stderr)).toEqual([expect.stringMatching(new RegExp(`^retina-train: ${noShard}/${shard}: `))]);
  });

  it('refuses, before reading any data, what cannot take the weights or would freeze random ones', () => {
    const cases: [string[], string][] = [
      [['--pretrained', keras], '--pretrained needs --backbone resnet18, resnet34 or resnet50 (got narrow): the weights are a Keras ResNet\'s'],
      [['--pretrained', keras, '--backbone', 'resnet18', '--norm', 'gn'], '--pretrained loads batch-norm weights and statistics: use --norm bn or frozen-bn, not gn'],
      [['--freeze-backbone'], '--freeze-backbone would freeze randomly initialised weights: give --pretrained DIR or --init-from RUN/model'],
    ];
    for (const [flags, message] of cases) {
      const r = retinaTrain(tinyRun(join(dir, 'refused'), flags));
      expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `retina-train: ${message}\n`]);
    }
  });
});
