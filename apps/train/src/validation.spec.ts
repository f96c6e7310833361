/**
 * The validation loss uses the model's class indices: a validation file that lists one more category
 * (with a smaller id, which shifts its own contiguous indices) gives the same loss and AP as one that
 * lists the model's categories only, and says so once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRetinaNet, type RetinaNet } from '@retina/retinanet';
import { Reporter } from './progress';
import type { RunConfig } from './run-config';
import { Validator } from './validation';

const RACCOON = join(__dirname, '../../../data/raccoon');

describe('Validator', () => {
  let dir = '';
  let net: RetinaNet;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'validation-'));
    // the first 4 validation photos, with raccoon as category 2
    const doc = JSON.parse(readFileSync(join(RACCOON, 'annotations/instances_val.json'), 'utf8'));
    const images = doc.images.slice(0, 4);
    const ids = new Set(images.map((im: { id: number }) => im.id));
    const annotations = doc.annotations.filter((a: { image_id: number }) => ids.has(a.image_id)).map((a: object) => ({ ...a, category_id: 2 }));
    writeFileSync(join(dir, 'same.json'), JSON.stringify({ images, annotations, categories: [{ id: 2, name: 'raccoon' }] }));
    writeFileSync(join(dir, 'more.json'), JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'badger' }, { id: 2, name: 'raccoon' }] }));
    net = createRetinaNet({
      numClasses: 1, categories: [{ id: 2, name: 'raccoon' }], seed: 3,
      backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] }, fpn: { channels: 8 }, head: { channels: 8, convs: 1 },
    });
  });
  afterAll(() => {
    net?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const validate = async (file: string): Promise<{ loss: number[]; stats: number[]; lines: string[] }> => {
    const lines: string[] = [];
    const config = { valAnn: join(dir, file), valImages: join(RACCOON, 'images'), optim: { batchSize: 2 }, data: { imageSizes: [64], maxSize: 96, workers: 2 } } as unknown as RunConfig;
    const validator = await Validator.create(config, new Reporter('quiet', (l) => lines.push(l)));
    const first = await validator.run(net);
    await validator.run(net);
    return { loss: [first.loss.total, first.loss.cls, first.loss.box], stats: first.stats, lines };
  };

  it("scores a file with an extra category with the model's classes: the same loss and AP, one warning", async () => {
    const same = await validate('same.json');
    const more = await validate('more.json');
    expect(same.loss.every(Number.isFinite)).toBe(true);
    expect(more.loss).toEqual(same.loss);
    expect(more.stats).toEqual(same.stats);
    expect(same.lines.filter((l) => l.startsWith('warning'))).toEqual([]);
    expect(more.lines.filter((l) => l.startsWith('warning'))).toEqual([
      expect.stringMatching(/more\.json: its categories \[1, 2\] differ from the model's \[2\]: the validation loss uses the model's classes; boxes of categories 1 are left out of it/),
    ]);
  });
});
