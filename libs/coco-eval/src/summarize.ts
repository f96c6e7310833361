import { precisionIndex, recallIndex, type Accumulation } from './accumulate';
import type { AreaRange } from './params';

/** One of the 12 standard numbers: AP or AR at an IoU threshold (all when absent), area and maxDets. */
export interface StatDefinition {
  readonly kind: 'AP' | 'AR';
  readonly iouThreshold?: number;
  readonly area: AreaRange['label'];
  /** Position in params.maxDets (clamped to the last one when fewer are given). */
  readonly maxDetsIndex: number;
}

/** The 12 standard numbers, in the standard order. */
export const STAT_DEFINITIONS: readonly StatDefinition[] = [
  { kind: 'AP', area: 'all', maxDetsIndex: 2 },
  { kind: 'AP', iouThreshold: 0.5, area: 'all', maxDetsIndex: 2 },
  { kind: 'AP', iouThreshold: 0.75, area: 'all', maxDetsIndex: 2 },
  { kind: 'AP', area: 'small', maxDetsIndex: 2 },
  { kind: 'AP', area: 'medium', maxDetsIndex: 2 },
  { kind: 'AP', area: 'large', maxDetsIndex: 2 },
  { kind: 'AR', area: 'all', maxDetsIndex: 0 },
  { kind: 'AR', area: 'all', maxDetsIndex: 1 },
  { kind: 'AR', area: 'all', maxDetsIndex: 2 },
  { kind: 'AR', area: 'small', maxDetsIndex: 2 },
  { kind: 'AR', area: 'medium', maxDetsIndex: 2 },
  { kind: 'AR', area: 'large', maxDetsIndex: 2 },
];

/** Which slice of the PR arrays to average: one category or all, one IoU threshold or all. */
export interface Selection {
  readonly kind: 'AP' | 'AR';
  readonly iouThreshold?: number;
  readonly category?: number;
  readonly area: AreaRange['label'];
  readonly maxDets: number;
}

/** The maxDets value a stat definition uses. */
export function maxDetsOf(maxDets: readonly number[], index: number): number {
  return maxDets[Math.min(index, maxDets.length - 1)];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Mean of the selected entries that are > −1, or −1 when there are none (the reference's
 * `_summarize`). An IoU threshold or maxDets that is not among the parameters selects nothing.
 */
export function meanOfSelection(acc: Accumulation, sel: Selection): number {
  const { params: p, shape: s } = acc;
  const ts = sel.iouThreshold === undefined ? range(s.T) : range(s.T).filter((t) => p.iouThresholds[t] === sel.iouThreshold);
  const ks = sel.category === undefined ? range(s.K) : [sel.category];
  const a = p.areaRanges.findIndex((r) => r.label === sel.area);
  const m = p.maxDets.indexOf(sel.maxDets);
  if (a < 0 || m < 0) return -1;
  let sum = 0;
  let count = 0;
  const add = (v: number): void => {
    if (v > -1) {
      sum += v;
      count++;
    }
  };
  for (const t of ts) {
    for (const k of ks) {
      if (sel.kind === 'AR') add(acc.recall[recallIndex(s, t, k, a, m)]);
      else for (let r = 0; r < s.R; r++) add(acc.precision[precisionIndex(s, t, r, k, a, m)]);
    }
  }
  return count === 0 ? -1 : sum / count;
}

/**
 * Stage 3 of 3 (the reference's `summarize`, without printing): the 12 standard numbers
 * AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl, at maxDets[0], [1] and [2]
 * (clamped to the last one when fewer are given; the reference hard-codes 100 for the first AP).
 */
export function summarize(acc: Accumulation): number[] {
  return STAT_DEFINITIONS.map((def) => meanOfSelection(acc, { ...def, maxDets: maxDetsOf(acc.params.maxDets, def.maxDetsIndex) }));
}
