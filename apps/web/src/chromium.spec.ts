/** Finding the browser for the page check: a clear failure (never a silent pass) when there is none. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './__fixtures__/chromium';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'retina-chromium-'));
  writeFileSync(join(dir, 'chromium'), '#!/bin/sh\n');
  chmodSync(join(dir, 'chromium'), 0o755);
  writeFileSync(join(dir, 'google-chrome'), 'not executable');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findChromium', () => {
  it('finds an executable chromium on PATH', () => {
    expect(findChromium({ PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'chromium'));
  });

  it('fails with how to install one, or to skip, when none is on PATH', () => {
    expect(() => findChromium({ PATH: '/nonexistent' })).toThrow(
      'Chromium not found on PATH (looked for chromium, chromium-browser, google-chrome-stable, google-chrome): install it (apt-get install -y chromium), or set RETINA_CHROMIUM=/path/to/chrome; RETINA_SKIP_BROWSER=1 skips the browser checks',
    );
  });

  it('takes RETINA_CHROMIUM first, and refuses one that is not an executable', () => {
    expect(findChromium({ PATH: '', RETINA_CHROMIUM: join(dir, 'chromium') })).toBe(join(dir, 'chromium'));
    expect(() => findChromium({ PATH: dir, RETINA_CHROMIUM: join(dir, 'google-chrome') })).toThrow(`RETINA_CHROMIUM=${join(dir, 'google-chrome')} is not an executable file`);
  });
});
