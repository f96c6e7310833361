import { Limiter, mapConcurrent } from './concurrency';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Limiter', () => {
  it('never runs more than `limit` tasks at once and runs them all', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          peak = Math.max(peak, ++running);
          await tick(i % 4);
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('frees the slot of a failed task', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run(async () => 5)).resolves.toBe(5);
  });
});

describe('mapConcurrent', () => {
  it('keeps input order with bounded concurrency', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 3, 2, 4], 2, async (v) => {
      peak = Math.max(peak, ++running);
      await tick(v);
      running--;
      return v * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });
});
