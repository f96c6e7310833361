/**
 * The submitting side: put jobs on a queue, wait for every one of them, hand back their outcomes in
 * the order they were given (whatever order the workers finish in).
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import { checkRedis, redisOptions, watchRedis } from './connection';
import { JobFailedError, type RedisUnreachableError } from './errors';
import type { JobOutcome } from './outcome';
import type { QueueAddress } from './url';

/** One job to run: its id (unique in its queue; no ':') and its data (JSON). */
export interface JobSpec<D> {
  readonly id: string;
  readonly data: D;
}

/**
 * Attempts of a job whose processor throws, before it counts as failed. (A job whose worker is lost
 * mid-job goes back on the queue without using an attempt, up to the workers' `maxStalledCount`.)
 */
export const DEFAULT_ATTEMPTS = 3;
/** Finished jobs nobody collected (their submitter went away) are dropped after a day. */
const KEEP_FINISHED_S = 24 * 3600;
/** Wait between two attempts of a job that threw. */
const RETRY_DELAY_MS = 1000;
/** How often the state of unfinished jobs is read, in case their event was missed. */
const POLL_MS = 2000;
/**
 * Events kept in the queue's stream (each completion carries the job's outcome, detections included):
 * enough for a submitter that keeps up; one that falls behind reads the states instead.
 */
export const EVENTS_MAX_LEN = 1000;
/** After this long without any outcome, say so when no worker listens on the queue. */
export const NO_WORKER_NOTICE_MS = 5000;

export interface RunJobsOptions<R> {
  readonly address: QueueAddress;
  /** The queue's name (no ':'). */
  readonly queue: string;
  readonly attempts?: number;
  /** Progress and notices, one line each. */
  readonly log?: (line: string) => void;
  /** What to say when no worker listens, e.g. the command that starts one. */
  readonly workerHint?: string;
  /** Called as each job's outcome arrives; returning true stops: jobs not started yet are removed. */
  readonly onOutcome?: (index: number, outcome: JobOutcome<R>) => boolean | void;
  /** Remove each job from Redis once its outcome is in (default true). */
  readonly removeFinished?: boolean;
  /**
   * A job that failed on every attempt becomes an `{ ok: false }` outcome (its worker: the last one
   * that ran it) instead of ending the whole run with a JobFailedError. Default false.
   */
  readonly keepGoing?: boolean;
}

/**
 * Adds the jobs (a job whose id is already waiting or running is joined rather than added again; a
 * finished one is replaced), waits for all of them, and returns their outcomes in the order of `jobs`
 * (undefined for the jobs removed after `onOutcome` stopped the run).
 * @throws RedisUnreachableError when Redis cannot be reached, or is lost and does not come back
 * @throws JobFailedError when a job failed on every attempt (unless `keepGoing`)
 */
export async function runJobs<D, R>(jobs: readonly JobSpec<D>[], options: RunJobsOptions<R>): Promise<(JobOutcome<R> | undefined)[]> {
  const { address, log = () => undefined } = options;
  await checkRedis(address);
  const connection = redisOptions(address);
  const queue = new Queue(options.queue, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
  const events = new QueueEvents(options.queue, { connection });
  // connection errors surface through the watch below (or the command that failed), not as events
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const listeners = new Map<string, Listener>();
  events.on('completed', ({ jobId, returnvalue }) => listeners.get(jobId)?.completed(returnvalue));
  events.on('failed', ({ jobId, failedReason }) => listeners.get(jobId)?.failed(failedReason));
  let onLost: (e: RedisUnreachableError) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (onLost = reject));
  lost.catch(() => undefined); // seen by the races below; never unhandled once they are over
  const watch = watchRedis(address, (e) => onLost(e));
  const outcomes: (JobOutcome<R> | undefined)[] = new Array(jobs.length).fill(undefined);
  const pending = new Set(jobs.map((j) => j.id));
  try {
    await Promise.race([lost, events.waitUntilReady()]);
    const added = await Promise.race([lost, addOrJoin(queue, jobs, options.attempts ?? DEFAULT_ATTEMPTS)]);
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const notice = setTimeout(() => void noticeIdle(queue, options, () => pending.size === jobs.length, log), NO_WORKER_NOTICE_MS);
    const waits = added.map(async (job, index) => {
      const outcome = await finished<R>(queue, listeners, job.id as string).catch((e) => {
        if (!(options.keepGoing && e instanceof JobFailedError)) throw e;
        return { ok: false, error: e.message.split('\n')[0], worker: e.worker ?? 'unknown' } as const;
      });
      pending.delete(job.id as string);
      outcomes[index] = outcome;
      if (options.removeFinished !== false) await job.remove().catch(() => undefined);
      if (options.onOutcome?.(index, outcome)) stop();
    });
    try {
      await Promise.race([lost, stopped, Promise.all(waits)]);
    } finally {
      clearTimeout(notice);
    }
    return outcomes;
  } finally {
    [...listeners.values()].forEach((l) => l.cancel());
    watch.close();
    if (pending.size > 0) await removeUnstarted(queue, [...pending]);
    await Promise.allSettled([events.close(), queue.close()]);
  }
}

/** Adds `jobs`, joining those already waiting or running under the same id. */
async function addOrJoin<D>(queue: Queue, jobs: readonly JobSpec<D>[], attempts: number): Promise<Job[]> {
  const existing = await Promise.all(jobs.map((j) => queue.getJob(j.id)));
  const joined = await Promise.all(
    existing.map(async (job) => {
      if (job === undefined) return undefined;
      const state = await job.getState();
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized') return job;
      await job.remove();
      return undefined;
    }),
  );
  const toAdd = jobs.filter((_, i) => joined[i] === undefined);
  const opts = {
    attempts,
    backoff: { type: 'fixed', delay: RETRY_DELAY_MS },
    removeOnComplete: { age: KEEP_FINISHED_S },
    removeOnFail: { age: KEEP_FINISHED_S },
  };
  const added = await queue.addBulk(toAdd.map((j) => ({ name: queue.name, data: j.data, opts: { ...opts, jobId: j.id } })));
  const byId = new Map(added.map((job) => [job.id as string, job]));
  return jobs.map((j, i) => joined[i] ?? (byId.get(j.id) as Job));
}

/** What the queue's events tell one waiting job. */
interface Listener {
  completed(returnvalue: unknown): void;
  failed(reason: string): void;
  /** Stops waiting (the run ended without this job). */
  cancel(): void;
}

/**
 * The outcome of job `id` once it finishes: from its event, or from its state, polled every POLL_MS in
 * case an event was missed (the events stream is trimmed to EVENTS_MAX_LEN). A failure (every attempt
 * used) becomes a JobFailedError.
 */
function finished<R>(queue: Queue, listeners: Map<string, Listener>, id: string): Promise<JobOutcome<R>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      listeners.delete(id);
      fn();
    };
    const fail = async (reason: string): Promise<void> => {
      const job = await Job.fromId(queue, id).catch(() => undefined);
      const stack = job?.stacktrace?.[job.stacktrace.length - 1] ?? undefined;
      settle(() => reject(new JobFailedError(id, reason, stack, job?.processedBy)));
    };
    const poll = async (): Promise<void> => {
      const state = await queue.getJobState(id);
      if (state === 'completed') {
        const job = await Job.fromId(queue, id);
        if (job) settle(() => resolve(job.returnvalue as JobOutcome<R>));
      } else if (state === 'failed') {
        const job = await Job.fromId(queue, id);
        await fail(job?.failedReason ?? 'failed');
      } else if (state === 'unknown') {
        settle(() => reject(new JobFailedError(id, 'the job was removed from the queue before its outcome was read')));
      }
    };
    listeners.set(id, {
      completed: (returnvalue) => settle(() => resolve(returnvalue as JobOutcome<R>)),
      failed: (reason) => void fail(reason),
      cancel: () => settle(() => reject(new Error(`stopped waiting for job ${id}`))),
    });
    const timer = setInterval(() => void poll().catch(() => undefined), POLL_MS);
    void poll().catch(() => undefined);
  });
}

/** Removes the jobs of `ids` that no worker has started (a running job keeps its lock and stays). */
async function removeUnstarted(queue: Queue, ids: readonly string[]): Promise<void> {
  await Promise.allSettled(ids.map((id) => queue.remove(id)));
}

/** Says when no job has finished yet and no worker listens on the queue. */
async function noticeIdle<R>(queue: Queue, options: RunJobsOptions<R>, nothingYet: () => boolean, log: (line: string) => void): Promise<void> {
  const workers = await queue.getWorkersCount().catch(() => -1);
  if (workers !== 0 || !nothingYet()) return;
  const hint = options.workerHint ? `; start one with: ${options.workerHint}` : '';
  log(`no worker listens on queue '${options.queue}' at ${options.address.display} yet (the jobs wait for one)${hint}`);
}
