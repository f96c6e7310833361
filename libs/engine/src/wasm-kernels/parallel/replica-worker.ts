/** The main thread's handle on one replica worker: one request at a time, answered by one message. */
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataParallelError } from './errors';
import type { FromWorker, InitMessage, ToWorker } from './messages';
import type { ShardResult } from './types';

/**
 * Starts the worker script beside this file: `worker.js` when built; `worker.ts` when this library runs
 * from its sources (jest, tsx), through tsx's CommonJS hook (a worker does not apply `--import` loaders
 * to its entry file).
 */
function startWorker(): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `worker${ext}`);
  if (ext !== '.ts') return new Worker(file);
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true });
}

interface Pending {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

export class ReplicaWorker {
  /** This worker's gradient buffer (shared), set by init. */
  grads: Float32Array = new Float32Array(0);
  private readonly worker: Worker;
  private pending: Pending | null = null;
  private failure: Error | null = null;

  constructor(readonly index: number) {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => this.settle((p) => p.resolve(m)));
    this.worker.on('error', (e) => this.fail(e.message));
    this.worker.on('exit', (code) => this.fail(`exited with code ${code}`));
  }

  async init(message: InitMessage): Promise<void> {
    this.grads = message.grads;
    await this.request(message);
  }

  async step(shard: unknown, size: number): Promise<ShardResult> {
    const answer = await this.request({ type: 'step', shard, size });
    if (answer.type !== 'done') throw new DataParallelError(`worker ${this.index}: unexpected answer '${answer.type}' to a step`);
    return answer.result;
  }

  async terminate(): Promise<void> {
    this.failure ??= new DataParallelError(`worker ${this.index}: closed`);
    await this.worker.terminate();
  }

  /** Sends one message and waits for the answer; the worker keeps the process alive only meanwhile. */
  private request(message: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new DataParallelError(`worker ${this.index}: a request is already running`));
    this.worker.ref();
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message);
    }).then((answer) => {
      if (answer.type === 'error') throw new DataParallelError(`worker ${this.index}: ${answer.message}`);
      return answer;
    });
  }

  private settle(action: (p: Pending) => void): void {
    const p = this.pending;
    this.pending = null;
    this.worker.unref();
    if (p) action(p);
  }

  private fail(reason: string): void {
    this.failure ??= new DataParallelError(`worker ${this.index}: ${reason}`);
    const failure = this.failure;
    this.settle((p) => p.reject(failure));
  }
}
