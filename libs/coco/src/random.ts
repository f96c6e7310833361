/**
 * Seeded randomness. Every random choice of the data pipeline comes from an `Rng` derived from
 * (seed, epoch, image id, ...) so that results depend only on those numbers, never on timing.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A mutable seeded generator (xoroshiro128+) with the few distributions the pipeline needs. */
export class Rng {
  private readonly gen: RandomGenerator;

  /** `seed`: any 32-bit integer (other numbers are hashed into one). */
  constructor(seed: number) {
    this.gen = xoroshiro128plus(hashInts([seed]));
  }

  /** An independent stream for a tuple of keys, e.g. `Rng.derive(seed, epoch, imageId)`. */
  static derive(...keys: number[]): Rng {
    return new Rng(hashInts(keys));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** Mixes integers (any JS numbers, truncated to 32 bits per half) into one 32-bit seed (murmur3 fmix). */
export function hashInts(keys: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const key of keys) {
    const lo = key | 0;
    const hi = Math.floor(key / 0x100000000) | 0;
    h = fmix32(h ^ fmix32(lo + 0x85ebca6b));
    h = fmix32(h ^ fmix32(hi + 0xc2b2ae35));
  }
  return h;
}

function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
