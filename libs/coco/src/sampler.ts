/**
 * The order of an epoch: which images form each batch. Depends only on (seed, epoch) and the
 * options, never on timing. With aspect grouping, landscape (w ≥ h) and portrait images are
 * batched separately, so padding to the batch's largest size wastes little.
 */
import { Rng } from './random';
import type { Size } from './transforms';

export interface SamplerOptions {
  batchSize: number;
  shuffle: boolean;
  seed: number;
  aspectGrouping: boolean;
  dropLast: boolean;
}

/** Batches of indices into `sizes` for epoch `epoch`. */
export function epochBatches(sizes: readonly Size[], epoch: number, o: SamplerOptions): number[][] {
  const order = sizes.map((_, i) => i);
  if (o.shuffle) Rng.derive(o.seed, epoch, SHUFFLE_STREAM).shuffle(order);
  const groups = new Map<number, number[]>();
  const batches: number[][] = [];
  for (const i of order) {
    const group = o.aspectGrouping ? (sizes[i].width >= sizes[i].height ? 0 : 1) : 0;
    const pending = groups.get(group) ?? [];
    pending.push(i);
    groups.set(group, pending);
    if (pending.length === o.batchSize) {
      batches.push(pending);
      groups.set(group, []);
    }
  }
  if (!o.dropLast) for (const rest of groups.values()) if (rest.length) batches.push(rest);
  return batches;
}

/** Key of the shuffle's random stream (per-image streams use image ids, which are ≥ 0). */
const SHUFFLE_STREAM = -1;
