/** `--queue` values: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://` for TLS. */
import { QueueUrlError } from './errors';

/** Where the Redis of a queue is. */
export interface QueueAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL without its password, for messages and logs. */
  readonly display: string;
}

/** Redis's own default port. */
export const DEFAULT_REDIS_PORT = 6379;
const MAX_PORT = 65535;

/**
 * Parses a queue URL.
 * @throws QueueUrlError naming what is wrong (scheme, port, database number)
 */
export function parseQueueUrl(text: string): QueueAddress {
  const bad = (why: string): QueueUrlError => new QueueUrlError(`--queue: ${why}: expected redis://HOST:PORT[/DB] (got '${text}')`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(`scheme must be redis: or rediss:, not ${url.protocol}`);
  if (url.hostname === '') throw bad('no host');
  const port = url.port === '' ? DEFAULT_REDIS_PORT : Number(url.port);
  if (!(Number.isInteger(port) && port >= 1 && port <= MAX_PORT)) throw bad(`port must be 1..${MAX_PORT}`);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw bad(`database must be a number, not '${path}'`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const db = path === '' ? 0 : Number(path);
  const auth = username !== undefined || password !== undefined ? `${username ?? ''}:***@` : '';
  return { host, port, db, username, password, tls: url.protocol === 'rediss:', display: `${url.protocol}//${auth}${url.host}/${db}` };
}
