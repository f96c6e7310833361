import { epochBatches, type SamplerOptions } from './sampler';

const sizes = Array.from({ length: 23 }, (_, i) => (i % 3 === 0 ? { height: 400, width: 300 } : { height: 300, width: 400 }));
const base: SamplerOptions = { batchSize: 4, shuffle: true, seed: 5, aspectGrouping: false, dropLast: false };

describe('epochBatches', () => {
  it('visits every image exactly once per epoch', () => {
    const flat = epochBatches(sizes, 0, base).flat();
    expect([...flat].sort((a, b) => a - b)).toEqual(sizes.map((_, i) => i));
    expect(epochBatches(sizes, 0, base).map((b) => b.length)).toEqual([4, 4, 4, 4, 4, 3]);
  });

  it('depends only on (seed, epoch): same inputs give the same order, others differ', () => {
    expect(epochBatches(sizes, 3, base)).toEqual(epochBatches(sizes, 3, base));
    expect(epochBatches(sizes, 4, base)).not.toEqual(epochBatches(sizes, 3, base));
    expect(epochBatches(sizes, 3, { ...base, seed: 6 })).not.toEqual(epochBatches(sizes, 3, base));
  });

  it('keeps dataset order without shuffle', () => {
    expect(epochBatches(sizes, 9, { ...base, shuffle: false })[0]).toEqual([0, 1, 2, 3]);
  });

  it('groups by aspect ratio: each batch is all landscape or all portrait', () => {
    const batches = epochBatches(sizes, 1, { ...base, aspectGrouping: true });
    for (const b of batches) expect(new Set(b.map((i) => sizes[i].width >= sizes[i].height)).size).toBe(1);
    expect(batches.flat()).toHaveLength(23);
  });

  it('drops the incomplete batch of each group with dropLast', () => {
    // 8 portrait (i % 3 = 0) and 15 landscape images in batches of 4: 2 + 3 full batches.
    const batches = epochBatches(sizes, 1, { ...base, aspectGrouping: true, dropLast: true });
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 4, 4]);
  });

  it('batches what the groups leave over together with dropLast, so a group smaller than a batch still trains', () => {
    // 2 portrait and 10 landscape images, batches of 4: 2 landscape batches, then the 2 + 2 left over
    const few = Array.from({ length: 12 }, (_, i) => (i < 2 ? { height: 400, width: 300 } : { height: 300, width: 400 }));
    for (const epoch of [0, 1, 2]) {
      const batches = epochBatches(few, epoch, { ...base, aspectGrouping: true, dropLast: true });
      expect(batches.map((b) => b.length)).toEqual([4, 4, 4]);
      expect(batches.flat().sort((a, b) => a - b)).toEqual(few.map((_, i) => i));
    }
    // 3 + 3 images: no group fills a batch alone, yet one mixed batch per epoch (2 images dropped)
    const six = Array.from({ length: 6 }, (_, i) => (i < 3 ? { height: 400, width: 300 } : { height: 300, width: 400 }));
    const seen = new Set<number>();
    for (const epoch of [0, 1, 2, 3, 4]) {
      const batches = epochBatches(six, epoch, { ...base, aspectGrouping: true, dropLast: true });
      expect(batches.map((b) => b.length)).toEqual([4]);
      batches.flat().forEach((i) => seen.add(i));
    }
    expect(seen.size).toBe(6);
  });
});
