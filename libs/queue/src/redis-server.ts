/**
 * A throw-away local Redis (the Debian `redis-server` binary) for tests and benchmarks: a free
 * localhost port, a temporary directory, no persistence.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A running redis-server. */
export interface LocalRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after a second) and removes its directory. */
  stop(): Promise<void>;
}

const STARTUP_MS = 10000;
const START_TRIES = 3;

/** A port nothing listens on right now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    // disconnecting a client that already ended (refused, no retries) would keep the process up for 2 s
    if (client.status !== 'end') client.disconnect();
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function startOnce(binary: string): Promise<LocalRedis | undefined> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'retina-redis-'));
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
    if (failed) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot start ${binary}: ${failed.message} (Debian: apt-get install -y redis-server)`);
    }
    if (child.exitCode !== null) break; // the port was taken meanwhile: try another
    if (await answers(port)) return { port, url: `redis://127.0.0.1:${port}`, stop };
  }
  await stop();
  return undefined;
}

/** Starts `redis-server` (from PATH unless `binary` is given) on a free port; resolves once it answers PING. */
export async function startRedisServer(binary = 'redis-server'): Promise<LocalRedis> {
  for (let i = 0; i < START_TRIES; i++) {
    const server = await startOnce(binary);
    if (server) return server;
  }
  throw new Error(`${binary} did not start on a free port in ${START_TRIES} tries`);
}
