/** The queue's errors: a user can fix the first two (a bad `--queue` URL, a Redis that cannot be reached). */
import { UserError } from '@retina/errors';

/** A `--queue` value that is not a Redis URL. */
export class QueueUrlError extends UserError {}

/** Redis did not answer (refused, timed out) or went away and did not come back within the retries. */
export class RedisUnreachableError extends UserError {}

/**
 * A job that failed on every attempt for a reason other than its input (a crash, a bug in the worker,
 * a worker killed more often than the stalled-job limit allows). Not a user error: exit 1.
 */
export class JobFailedError extends Error {
  constructor(
    readonly jobId: string,
    readonly reason: string,
    readonly workerStack?: string,
    /** The worker that ran the last attempt, when known. */
    readonly worker?: string,
  ) {
    super(`job ${jobId} failed on every attempt: ${reason}${workerStack ? `\nworker's stack:\n${workerStack}` : ''}`);
    this.name = 'JobFailedError';
  }
}
