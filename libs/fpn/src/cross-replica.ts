/**
 * Synchronised batch norm across data-parallel replicas. A data-parallel step runs one replica per
 * thread, each on a shard of the batch; batch norm must still normalise with the statistics of the
 * whole batch, forward and backward. The step's runner (e.g. @retina/engine's DataParallel) installs
 * a `CrossReplicaSum` around each replica's forward pass with `withCrossReplica`; every batch-norm
 * layer that trains on batch statistics captures it and sums its per-channel moments (and, in the
 * backward pass, its per-channel gradient sums) over the replicas. Without one, batch norm uses the
 * local batch, as usual.
 */

/** Element-wise sums over the replicas of one step. */
export interface CrossReplicaSum {
  /**
   * Σ over the replicas of `values`, identical in every replica (same summation order). Every replica
   * calls it the same number of times, with the same lengths, in the same order; it blocks until all
   * have contributed.
   */
  sum(values: Float64Array): Float64Array;
  /**
   * This replica's weight w in the step's objective Σ w_r · L_r / Σ w_r (its loss normalizer). The
   * backward pass contributes w · ∂L/∂(sums) and divides the total by w, so that the averaged
   * gradients are the gradient of the combined objective exactly.
   */
  readonly lossWeight: number;
}

let active: CrossReplicaSum | undefined;

/** Runs `fn` (a forward pass) with batch norm synchronised through `sync` (none: local statistics). */
export function withCrossReplica<T>(sync: CrossReplicaSum | undefined, fn: () => T): T {
  const previous = active;
  active = sync;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** The synchronisation installed for the current forward pass, if any. */
export function currentCrossReplica(): CrossReplicaSum | undefined {
  return active;
}
