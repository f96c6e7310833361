import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { UserError } from '@retina/errors';
import { JobFailedError, RedisUnreachableError, freePort, parseQueueUrl, runJobs, serveJobs, startRedisServer, type JobServer, type LocalRedis } from './index';

const FAST = { lockDuration: 1000, stalledInterval: 500, maxStalledCount: 2 };

describe('parseQueueUrl', () => {
  it('reads host, port, database and credentials, and hides the password in `display`', () => {
    const a = parseQueueUrl('redis://user:s%40cret@redis.example:6380/3');
    expect(a).toMatchObject({ host: 'redis.example', port: 6380, db: 3, username: 'user', password: 's@cret', tls: false });
    expect(a.display).toBe('redis://user:***@redis.example:6380/3');
    expect(parseQueueUrl('rediss://10.0.0.1')).toMatchObject({ host: '10.0.0.1', port: 6379, db: 0, tls: true });
  });

  it.each([
    ['localhost:6379', /scheme must be redis: or rediss:/],
    ['http://h:1', /scheme must be redis: or rediss:/],
    ['redis://h:1/x', /database must be a number/],
    ['nonsense', /not a URL/],
  ])('%s is a user error naming what is wrong', (text, why) => {
    expect(() => parseQueueUrl(text)).toThrow(why);
    expect(() => parseQueueUrl(text)).toThrow(UserError);
  });
});

describe('an unreachable Redis', () => {
  it('fails at once with one line, for the submitter and for a worker alike', async () => {
    const address = parseQueueUrl(`redis://127.0.0.1:${await freePort()}`);
    const t0 = Date.now();
    await expect(runJobs([{ id: 'a', data: 1 }], { address, queue: 'q' })).rejects.toThrow(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:\\d+/0: .*ECONNREFUSED`));
    await expect(serveJobs({ address, queue: 'q', run: async () => 0 })).rejects.toBeInstanceOf(RedisUnreachableError);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('jobs over a real redis-server', () => {
  let redis: LocalRedis;
  const servers: JobServer[] = [];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    children.splice(0).forEach((c) => c.kill('SIGKILL'));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(async () => redis?.stop());

  const serve = async <D, R>(queue: string, run: (d: D) => Promise<R>, concurrency = 1): Promise<JobServer> => {
    const server = await serveJobs({ address: parseQueueUrl(redis.url), queue, run, concurrency, timing: FAST });
    servers.push(server);
    return server;
  };

  it('hands back outcomes in submission order when they finish in another order', async () => {
    await serve<number, number>('order', async (n) => {
      await new Promise((r) => setTimeout(r, (5 - n) * 40)); // the last job finishes first
      return n * n;
    }, 5);
    const seen: number[] = [];
    const outcomes = await runJobs<number, number>([1, 2, 3, 4, 5].map((n) => ({ id: `o-${n}`, data: n })), {
      address: parseQueueUrl(redis.url),
      queue: 'order',
      onOutcome: (i) => void seen.push(i),
    });
    expect(outcomes.map((o) => (o?.ok ? o.value : NaN))).toEqual([1, 4, 9, 16, 25]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4]);
  });

  it('a user error is an outcome, reported once and not retried; any other error is retried, then fails the job', async () => {
    let calls = 0;
    const server = await serve<string, number>('errors', async (kind) => {
      calls++;
      if (kind === 'user') throw new UserError('images/broken.jpg: cannot decode');
      throw new Error('boom');
    });
    const address = parseQueueUrl(redis.url);
    const [user] = await runJobs<string, number>([{ id: 'u', data: 'user' }], { address, queue: 'errors' });
    expect(user).toEqual({ ok: false, error: 'images/broken.jpg: cannot decode', worker: server.name });
    expect(calls).toBe(1);
    calls = 0;
    const failed = runJobs<string, number>([{ id: 'b', data: 'bug' }], { address, queue: 'errors', attempts: 2 });
    await expect(failed).rejects.toBeInstanceOf(JobFailedError);
    await expect(failed).rejects.toThrow(/job b failed on every attempt: boom/);
    expect(calls).toBe(2);
  });

  it('a worker killed (SIGKILL) mid-job loses nothing: the job runs again on another worker', async () => {
    const queue = 'stalled';
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '__fixtures__/slow-worker.ts'), redis.url, queue], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let output = '';
    const saw = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => output.includes(text) && resolve();
        child.stdout?.on('data', (d) => ((output += String(d)), check()));
        check();
      });
    await saw('ready');
    const address = parseQueueUrl(redis.url);
    const result = runJobs<{ value: number; ms: number }, number>([{ id: 'k', data: { value: 21, ms: 3000 } }], { address, queue });
    await saw('started k');
    child.kill('SIGKILL');
    const rescuer = await serve<{ value: number; ms: number }, number>(queue, async ({ value }) => value * 2);
    const [outcome] = await result;
    expect(outcome).toEqual({ ok: true, value: 42, worker: rescuer.name });
  });

  it('joins a job already waiting under the same id instead of adding it twice', async () => {
    const address = parseQueueUrl(redis.url);
    let calls = 0;
    const first = runJobs<number, number>([{ id: 'same', data: 1 }], { address, queue: 'join' });
    const second = runJobs<number, number>([{ id: 'same', data: 1 }], { address, queue: 'join', removeFinished: false });
    await new Promise((r) => setTimeout(r, 300));
    await serve<number, number>('join', async (n) => (calls++, n + 1));
    expect((await Promise.all([first, second])).map(([o]) => o?.ok && o.value)).toEqual([2, 2]);
    expect(calls).toBe(1);
  });
});
