import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LABEL_BACKGROUND, LABEL_IGNORE, countPositives, createEmaNormalizer, positivesPerImage, restoreEmaNormalizer } from './index';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('positives (the shared normalizer)', () => {
  it('label codes are the matcher codes', () => {
    expect([LABEL_BACKGROUND, LABEL_IGNORE]).toEqual([-1, -2]);
  });

  it('countPositives counts labels >= 0, from an Int32Array or an int32 tensor', () => {
    const labels = Int32Array.from([0, -1, -2, 4, 2, -1]);
    expect(countPositives(labels)).toBe(3);
    const t = tf.tensor2d(labels, [2, 3], 'int32');
    expect(countPositives(t)).toBe(3);
    expect(positivesPerImage(t, 2)).toEqual([1, 2]);
    t.dispose();
    expect(positivesPerImage(labels, 3)).toEqual([1, 1, 1]);
    expect(() => positivesPerImage(labels, 4)).toThrow(/6 labels do not split into 4 images/);
  });
});

describe('EmaNormalizer (detectron2)', () => {
  it('follows v ← 0.9·v + 0.1·max(1, n) from 100', () => {
    const ema = createEmaNormalizer();
    expect(ema.update(0)).toBeCloseTo(0.9 * 100 + 0.1 * 1, 12);
    expect(ema.update(50)).toBeCloseTo(0.9 * (0.9 * 100 + 0.1) + 0.1 * 50, 12);
    expect(ema.value).toBeCloseTo(0.9 * (0.9 * 100 + 0.1) + 0.1 * 50, 12);
  });

  it('resumes from a JSON round trip of its state exactly where it stopped', () => {
    const ema = createEmaNormalizer(0.8, 10);
    ema.update(7);
    const saved = JSON.parse(JSON.stringify(ema.state()));
    expect(saved).toEqual({ value: 0.8 * 10 + 0.2 * 7, momentum: 0.8 });
    const resumed = restoreEmaNormalizer(saved);
    expect(resumed.update(30)).toBe(ema.update(30));
  });

  it('state() is a copy: changing it does not move the normalizer', () => {
    const ema = createEmaNormalizer();
    const s = ema.state();
    s.value = 1;
    expect(ema.value).toBe(100);
  });

  it('rejects bad momentum, initial value, saved state and counts', () => {
    expect(() => createEmaNormalizer(1)).toThrow(/momentum must be in \[0, 1\) \(got 1\)/);
    expect(() => createEmaNormalizer(0.9, 0)).toThrow(/value must be a finite number > 0 \(got 0\)/);
    expect(() => restoreEmaNormalizer({ value: Number.NaN, momentum: 0.9 })).toThrow(/value must be a finite number > 0 \(got NaN\)/);
    expect(() => createEmaNormalizer().update(-1)).toThrow(/numPositive must be a count >= 0 \(got -1\)/);
  });
});
