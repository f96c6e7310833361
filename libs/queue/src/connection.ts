/**
 * Connections to the queue's Redis, all bounded: a first check that fails fast (refused, unknown host,
 * no answer within CONNECT_TIMEOUT_MS), and reconnection attempts that stop after RECONNECT_ATTEMPTS,
 * so that a Redis that went away ends a command with one line instead of a silent hang.
 */
import { createIORedisClient, RedisConnection, type RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnreachableError } from './errors';
import type { QueueAddress } from './url';

/** How long a connection attempt may take before it counts as failed. */
export const CONNECT_TIMEOUT_MS = 5000;
/** Reconnection attempts after a connection is lost, before giving up (with RECONNECT_DELAY_MS between: ≈ 30 s). */
export const RECONNECT_ATTEMPTS = 15;
/** The longest wait between two reconnection attempts. */
export const RECONNECT_DELAY_MS = 2000;
/** TCP keep-alive on every connection, so that a peer gone silent is noticed. */
const KEEP_ALIVE_MS = 10000;

/**
 * Every client BullMQ opens keeps an error listener of ours for its whole life. BullMQ removes its own
 * when it closes a connection, and a worker's loop may still reconnect one after that (when Redis has
 * gone away): ioredis would then print `[ioredis] Unhandled error event` for every failed attempt.
 * Errors reach us anyway — through the worker's 'error' event while it runs, and through watchRedis.
 */
function quietClients(): void {
  if (RedisConnection.clientFactory) return;
  RedisConnection.clientFactory = (opts) => {
    const client = new Redis(opts as RedisOptions);
    client.on('error', () => undefined);
    return createIORedisClient(client);
  };
}

/** Options for ioredis (and BullMQ's `connection`): the address, bounded retries, timeouts. */
export function redisOptions(address: QueueAddress): BullRedisOptions {
  quietClients();
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    username: address.username,
    password: address.password,
    tls: address.tls ? {} : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    keepAlive: KEEP_ALIVE_MS,
    retryStrategy: (times: number) => (times > RECONNECT_ATTEMPTS ? null : Math.min(times * 200, RECONNECT_DELAY_MS)),
  };
}

/** The first line of an error's message (ioredis wraps some in AggregateErrors without one). */
function reason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  const text = e instanceof Error ? e.message || (e as NodeJS.ErrnoException).code || e.name : String(e);
  return text.split('\n')[0].replace(/^Error: /, '');
}

/**
 * Connects once, without retrying, and sends PING.
 * @throws RedisUnreachableError `cannot reach Redis at redis://…: <why>` when that fails within `timeoutMs`
 */
export async function checkRedis(address: QueueAddress, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const client = new Redis({
    ...redisOptions(address),
    connectTimeout: timeoutMs,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: unknown;
  client.on('error', (e) => (lastError = e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new RedisUnreachableError(`cannot reach Redis at ${address.display}: ${reason(lastError ?? e)}`);
  } finally {
    // disconnecting a client that already ended (refused, no retries) would keep the process up for 2 s
    if (client.status !== 'end') client.disconnect();
  }
}

/** A connection that reports when Redis is gone for good. */
export interface RedisWatch {
  close(): void;
}

/**
 * Watches Redis with a connection of its own: when that connection is lost and every reconnection
 * attempt fails, `onLost` receives a RedisUnreachableError (once).
 */
export function watchRedis(address: QueueAddress, onLost: (e: RedisUnreachableError) => void): RedisWatch {
  const client = new Redis({ ...redisOptions(address), maxRetriesPerRequest: null });
  let lastError: unknown;
  let closing = false;
  client.on('error', (e) => (lastError = e));
  client.on('end', () => {
    if (!closing) onLost(new RedisUnreachableError(`lost Redis at ${address.display}: no answer after ${RECONNECT_ATTEMPTS} reconnection attempts (${reason(lastError ?? 'connection closed')})`));
  });
  return {
    close: () => {
      closing = true;
      client.disconnect();
    },
  };
}
