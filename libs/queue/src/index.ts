/**
 * @retina/queue (Node only): jobs over Redis through BullMQ for Retina's workers — `--queue` URLs,
 * bounded connections, submit-and-gather in the submitter's order, workers whose lost jobs run again
 * elsewhere, and a throw-away local redis-server (with its worker processes) for tests and benchmarks.
 */
export { parseQueueUrl, DEFAULT_REDIS_PORT, type QueueAddress } from './url';
export { checkRedis, watchRedis, redisOptions, CONNECT_TIMEOUT_MS, RECONNECT_ATTEMPTS, RECONNECT_DELAY_MS, type RedisWatch } from './connection';
export { QueueUrlError, RedisUnreachableError, JobFailedError } from './errors';
export type { JobOutcome } from './outcome';
export { runJobs, DEFAULT_ATTEMPTS, NO_WORKER_NOTICE_MS, type JobSpec, type RunJobsOptions } from './submit';
export { serveJobs, serveUntilStopped, DEFAULT_TIMING, type JobContext, type JobServer, type ServeJobsOptions, type WorkerTiming } from './worker';
export { startRedisServer, freePort, type LocalRedis } from './redis-server';
export { ProcessGroup, waitForStderr, type WatchedProcess } from './processes';
export { QUEUES, workerOptions, timingOf, type WorkerFlags } from './names';
