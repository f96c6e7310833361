/**
 * The working side: take jobs from a queue one after the other (or `concurrency` at a time) and run
 * them. A worker that dies mid-job (kill -9, a lost machine) stops renewing its job's lock; after
 * `lockDuration` another worker's stalled-job check (every `stalledInterval`) puts the job back on the
 * queue, at most `maxStalledCount` times, so the job runs again elsewhere.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { isUserError, oneLine } from '@retina/errors';
import { checkRedis, redisOptions, watchRedis } from './connection';
import type { RedisUnreachableError } from './errors';
import type { JobOutcome } from './outcome';
import type { QueueAddress } from './url';

/** How fast a dead worker's job goes back on the queue. */
export interface WorkerTiming {
  /** How long a job's lock lives without renewal (ms); renewed every half of it while the job runs. */
  readonly lockDuration: number;
  /** How often this worker looks for jobs whose lock expired (ms). */
  readonly stalledInterval: number;
  /** How often one job may be put back after its worker was lost, before it fails. */
  readonly maxStalledCount: number;
}

/**
 * BullMQ's defaults for the lock and the check (30 s each), and two recoveries per job. A job's
 * synchronous stretches (one forward pass) must stay well under half of `lockDuration`, or its lock
 * lapses while it runs (the job then runs again elsewhere: same result, wasted time).
 */
export const DEFAULT_TIMING: WorkerTiming = { lockDuration: 30000, stalledInterval: 30000, maxStalledCount: 2 };

/** Errors of a connection being lost or refused (reconnection attempts), as ioredis words them. */
const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Connection is closed/;

/** What a job's processor gets besides its data. */
export interface JobContext {
  readonly id: string;
  /** 1 for the first attempt (a failed attempt counts; a lost worker's does not). */
  readonly attempt: number;
  /** How often a worker has started this job, this time included: > 1 after a worker was lost mid-job. */
  readonly starts: number;
  /** This worker's name, `host:pid`. */
  readonly worker: string;
}

export interface ServeJobsOptions<D, R> {
  readonly address: QueueAddress;
  readonly queue: string;
  /** Runs one job. A UserError becomes the job's `{ ok: false }` outcome; any other error fails the attempt. */
  readonly run: (data: D, context: JobContext) => Promise<R>;
  readonly concurrency?: number;
  readonly timing?: Partial<WorkerTiming>;
  /** Notices, one line each (failed attempts, connection errors). */
  readonly log?: (line: string) => void;
}

/** A running worker. */
export interface JobServer {
  /** `host:pid`, recorded with every outcome. */
  readonly name: string;
  /** Settles when the worker stops: resolves after `close`, rejects when Redis is lost for good. */
  readonly done: Promise<void>;
  /** Stops taking jobs, lets the running ones finish, disconnects. */
  close(): Promise<void>;
}

/**
 * Starts a worker on `queue`.
 * @throws RedisUnreachableError when Redis cannot be reached
 */
export async function serveJobs<D, R>(options: ServeJobsOptions<D, R>): Promise<JobServer> {
  const { address, log = () => undefined } = options;
  await checkRedis(address);
  const name = `${hostname()}:${process.pid}`;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const processor = async (job: Job<D, JobOutcome<R>>): Promise<JobOutcome<R>> => {
    try {
      const value = await options.run(job.data, { id: job.id as string, attempt: job.attemptsMade + 1, starts: job.attemptsStarted, worker: name });
      return { ok: true, value, worker: name };
    } catch (e) {
      if (!isUserError(e)) throw e;
      log(`job ${job.id}: ${oneLine(e.message)} (reported to the submitter)`);
      return { ok: false, error: oneLine(e.message), worker: name };
    }
  };
  const worker = new Worker<D, JobOutcome<R>>(options.queue, processor, {
    connection: redisOptions(address),
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration: timing.lockDuration,
    stalledInterval: timing.stalledInterval,
    maxStalledCount: timing.maxStalledCount,
  });
  const seen = new Set<string>();
  worker.on('error', (e) => {
    // a lost connection is watchRedis's to report (once it is lost for good); any other error, once
    if (CONNECTION_ERROR.test(e.message) || seen.has(e.message)) return;
    seen.add(e.message);
    log(`queue error: ${oneLine(e.message)}`);
  });
  worker.on('failed', (job, e) => {
    if (job) log(`job ${job.id}: attempt ${job.attemptsMade} failed: ${oneLine(e.message)}`);
  });
  let onLost: (e: RedisUnreachableError) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (onLost = reject));
  const watch = watchRedis(address, (e) => onLost(e));
  try {
    await Promise.race([lost, worker.waitUntilReady()]);
  } catch (e) {
    watch.close();
    await worker.close(true).catch(() => undefined);
    throw e;
  }
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const done = Promise.race([lost, closed]).finally(() => {
    watch.close();
    return worker.close(true).catch(() => undefined);
  });
  done.catch(() => undefined); // the caller awaits `done`; a loss before that must not be unhandled
  return {
    name,
    done,
    close: async () => {
      await worker.close();
      onClosed();
      await done.catch(() => undefined);
    },
  };
}

/**
 * Runs `server` until it stops: SIGTERM or SIGINT (a Kubernetes pod's stop, Ctrl-C) closes it after
 * the running jobs; the handlers are removed again when it has stopped. Settles like `server.done`.
 */
export async function serveUntilStopped(server: JobServer, log: (line: string) => void): Promise<void> {
  const stop = (): void => {
    log('stopping after the running job');
    void server.close();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await server.done;
  } finally {
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
  }
}
