import { hashInts, Rng } from './random';

describe('Rng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.float())(new Rng(42)));
    const b = Array.from({ length: 5 }, ((r) => () => r.float())(new Rng(42)));
    const c = Array.from({ length: 5 }, ((r) => () => r.float())(new Rng(43)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('derives independent streams from key tuples', () => {
    expect(Rng.derive(1, 2, 3).float()).toBe(Rng.derive(1, 2, 3).float());
    expect(Rng.derive(1, 2, 3).float()).not.toBe(Rng.derive(1, 3, 2).float());
    expect(hashInts([0, 1])).not.toBe(hashInts([1, 0]));
    expect(hashInts([2 ** 40])).not.toBe(hashInts([0]));
  });

  it('shuffles into a permutation and draws integers within bounds', () => {
    const r = new Rng(7);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = r.shuffle([...items]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    for (let i = 0; i < 100; i++) {
      const v = r.int(3, 5);
      expect(v >= 3 && v <= 5 && Number.isInteger(v)).toBe(true);
    }
  });

  it('chance(p) matches p over many draws', () => {
    const r = new Rng(11);
    let hits = 0;
    for (let i = 0; i < 20000; i++) if (r.chance(0.3)) hits++;
    expect(hits / 20000).toBeCloseTo(0.3, 1);
    expect(new Rng(1).chance(0)).toBe(false);
  });
});
