/** The page's static server: files and content types, index.html for folders, nothing outside the root, isolation headers. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUnder, serveDir, type StaticServer } from './server';

let root: string;
let parent: string;
let server: StaticServer;

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'retina-web-server-'));
  root = join(parent, 'site');
  mkdirSync(join(root, 'model'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><p>page</p>');
  writeFileSync(join(root, 'model', 'model.json'), '{"weightsManifest":[]}');
  writeFileSync(join(root, 'a b.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(parent, 'secret.txt'), 'outside the root');
  server = await serveDir(root);
});
afterAll(async () => {
  await server.close();
  rmSync(parent, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serveDir', () => {
  it('serves index.html for the root, and files with their content types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get('/');
    expect([index.status, index.headers['content-type'], index.body]).toEqual([200, 'text/html; charset=utf-8', '<!doctype html><p>page</p>']);
    const json = await get('/model/model.json?v=1');
    expect([json.status, json.headers['content-type'], json.body]).toEqual([200, 'application/json', '{"weightsManifest":[]}']);
    const wasm = await get('/a%20b.wasm');
    expect([wasm.status, wasm.headers['content-type'], wasm.headers['content-length']]).toEqual([200, 'application/wasm', '4']);
  });

  it('sends the cross-origin isolation headers that let the wasm engine use threads', async () => {
    const { headers } = await get('/');
    expect([headers['cross-origin-opener-policy'], headers['cross-origin-embedder-policy']]).toEqual(['same-origin', 'require-corp']);
  });

  it('answers 404 for missing files and for paths that leave the root, 405 for other methods; HEAD has no body', async () => {
    expect((await get('/nothing.js')).status).toBe(404);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/model/%2e%2e%2f%2e%2e%2fsecret.txt', '/%E0%A4%A']) {
      const r = await get(path);
      expect([path, r.status, r.body.includes('outside')]).toEqual([path, 404, false]);
    }
    expect((await get('/', 'POST')).status).toBe(405);
    const head = await get('/model/model.json', 'HEAD');
    expect([head.status, head.headers['content-length'], head.body]).toEqual([200, '22', '']);
  });

  it('resolveUnder keeps every path inside the root', () => {
    expect(resolveUnder('/srv/site', '/a/b.js')).toBe('/srv/site/a/b.js');
    expect(resolveUnder('/srv/site', '/../site2/x')).toBe('/srv/site/site2/x');
    expect(resolveUnder('/srv/site', '/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/site/etc/passwd');
    expect(resolveUnder('/srv/site', '/bad%00name')).toBeUndefined();
  });
});
