/**
 * All-reduce (element-wise sum) between the replicas of one data-parallel step, through shared memory:
 * each replica writes its values into its own slot, waits at a barrier for the others, then sums the
 * slots in rank order — the same float64 result in every replica. Two banks of slots alternate from
 * call to call, so one barrier per call suffices: a replica can only write bank k again after every
 * replica has passed the barrier of call k + 1, i.e. after all of them have read call k's bank.
 *
 * Synchronised batch norm is its user (three sums per layer and step). The calls block their thread
 * (Atomics.wait); a replica that fails raises the abort flag, and the others stop waiting with an error.
 */
import { DataParallelError } from './errors';

const ARRIVED = 0;
const GENERATION = 1;
const ABORT = 2;

/** Longest vector one call may sum (float64 elements): 2 × 4096 channels + 1. */
export const COLLECTIVE_MAX_VALUES = 8193;
/** How long a replica waits at a barrier before it gives up (a replica that died without a word). */
export const COLLECTIVE_TIMEOUT_MS = 300_000;

/** The shared memory of the collective: passed to every worker once. */
export interface CollectiveBuffers {
  control: Int32Array;
  /** 2 banks × ranks × COLLECTIVE_MAX_VALUES float64. */
  slots: Float64Array;
  ranks: number;
}

export function collectiveBuffers(ranks: number): CollectiveBuffers {
  return {
    control: new Int32Array(new SharedArrayBuffer(4 * 4)),
    slots: new Float64Array(new SharedArrayBuffer(8 * 2 * ranks * COLLECTIVE_MAX_VALUES)),
    ranks,
  };
}

/** Tells the other replicas to stop waiting (this one failed). */
export function abortCollective(buffers: CollectiveBuffers): void {
  Atomics.store(buffers.control, ABORT, 1);
  Atomics.add(buffers.control, GENERATION, 1);
  Atomics.notify(buffers.control, GENERATION);
}

/** Clears the abort flag before a step (the calling thread, while no replica runs). */
export function resetCollective(buffers: CollectiveBuffers): void {
  Atomics.store(buffers.control, ABORT, 0);
  Atomics.store(buffers.control, ARRIVED, 0);
}

/** One replica's end of the collective for one step. */
export class Collective {
  private calls = 0;

  /**
   * @param rank this replica's index (0: the calling thread, i: worker i)
   * @param size replicas in this step (ranks 0..size−1 take part)
   */
  constructor(
    private readonly buffers: CollectiveBuffers,
    readonly rank: number,
    readonly size: number,
  ) {
    if (!(Number.isInteger(size) && size >= 1 && size <= buffers.ranks)) throw new DataParallelError(`collective: size must be in 1..${buffers.ranks} (got ${size})`);
    if (!(Number.isInteger(rank) && rank >= 0 && rank < size)) throw new DataParallelError(`collective: rank must be in 0..${size - 1} (got ${rank})`);
  }

  /** Σ over the step's replicas of `values`; blocks until every replica has made this call. */
  sum(values: Float64Array): Float64Array {
    const n = values.length;
    if (n > COLLECTIVE_MAX_VALUES) throw new DataParallelError(`collective: ${n} values exceed the ${COLLECTIVE_MAX_VALUES} a call may sum`);
    const bank = this.calls++ & 1;
    const slot = (rank: number) => (bank * this.buffers.ranks + rank) * COLLECTIVE_MAX_VALUES;
    this.buffers.slots.set(values, slot(this.rank));
    this.barrier();
    const out = new Float64Array(n);
    for (let r = 0; r < this.size; r++) {
      const at = slot(r);
      for (let i = 0; i < n; i++) out[i] += this.buffers.slots[at + i];
    }
    return out;
  }

  private barrier(): void {
    const c = this.buffers.control;
    if (Atomics.load(c, ABORT)) throw new DataParallelError('collective: another replica failed');
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) + 1 === this.size) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    const deadline = Date.now() + COLLECTIVE_TIMEOUT_MS;
    while (Atomics.load(c, GENERATION) === generation) {
      Atomics.wait(c, GENERATION, generation, 100);
      if (Date.now() > deadline) throw new DataParallelError(`collective: no answer from the other replicas in ${COLLECTIVE_TIMEOUT_MS / 1000} s`);
    }
    if (Atomics.load(c, ABORT)) throw new DataParallelError('collective: another replica failed');
  }
}
