/**
 * The order of an epoch: which images form each batch. Depends only on (seed, epoch) and the
 * options, never on timing. With aspect grouping, landscape (w ≥ h) and portrait images are
 * batched separately, so padding to the batch's largest size wastes little; with `dropLast`, what
 * the groups leave over is batched together (mixed), so that no image of a group smaller than a
 * batch is left out of every epoch — only the last fewer-than-`batchSize` images of the shuffled
 * order are dropped, as without grouping.
 */
import { Rng } from '../random';
import type { Size } from '../images/transforms';

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
  const group = (i: number): number => (o.aspectGrouping ? (sizes[i].width >= sizes[i].height ? 0 : 1) : 0);
  for (const i of order) {
    const pending = groups.get(group(i)) ?? [];
    pending.push(i);
    groups.set(group(i), pending);
    if (pending.length === o.batchSize) {
      batches.push(pending);
      groups.set(group(i), []);
    }
  }
  if (!o.dropLast) {
    for (const rest of groups.values()) if (rest.length) batches.push(rest);
    return batches;
  }
  // the leftovers in their shuffled order, whatever their group: full mixed batches, the rest dropped
  const rest = order.filter((i) => groups.get(group(i))!.includes(i));
  for (let k = 0; k + o.batchSize <= rest.length; k += o.batchSize) batches.push(rest.slice(k, k + o.batchSize));
  return batches;
}

/** Key of the shuffle's random stream (per-image streams use image ids, which are ≥ 0). */
const SHUFFLE_STREAM = -1;
