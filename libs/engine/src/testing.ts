/**
 * Helpers for specs that check tensor kernels and layers against a second computation
 * (`@retina/engine/testing`; the engine's own specs and those of fpn and retinanet use them).
 */

/** Deterministic values in [−scale, scale) from a seed (mulberry32): the same on every machine. */
export function seededValues(size: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return scale * (((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1);
  });
}

/**
 * max |actual − expected| / max |expected| (the largest error relative to the largest expected value,
 * so that near-zero entries do not dominate).
 * @throws RangeError when the lengths differ
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`maxRelativeError: ${actual.length} values vs ${expected.length} expected`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / Math.max(scale, 1e-30);
}
