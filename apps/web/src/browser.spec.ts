/**
 * The page in a real browser (headless Chromium through puppeteer-core; nothing is downloaded): a
 * small detector made here (seeded, untrained, with a class prior that gives it detections of many
 * scores) is exported with `retina-eval export` into the page built by `npm run web -- --build-only`,
 * served by the page's server, and run on three photos of data/raccoon on every engine the page can
 * start (wasm must; webgl and webgpu where they load — software-rendered here). The boxes it draws
 * after the score slider is moved are compared with `retina-eval predict` on the same model and
 * files: the same count, corners within 0.5 px, scores within 1e-3. A screenshot goes to
 * runs/web-check/. Without Chromium the check fails and says how to install it; RETINA_SKIP_BROWSER=1
 * (and nothing else) skips it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { selectEngine } from '@retina/engine/node';
import { createRetinaNet, saveRetinaNet } from '@retina/retinanet/node';
import type { Browser, Page } from 'puppeteer-core';
import sharp from 'sharp';
import type { RetinaWebApi, ShownImage } from './page/main';
import type { SiteReport } from './build';
import { serveDir, type StaticServer } from './server';
import { findChromium, launchChromium, SKIP_VARIABLE } from './__fixtures__/chromium';
import { compareDetections, type Comparison, type ImageDets } from './__fixtures__/compare';

const ROOT = join(__dirname, '..', '..', '..');
const EVAL = join(ROOT, 'apps', 'eval', 'src', 'main.ts');
const WEB = join(__dirname, 'serve.ts');
const OUT = join(ROOT, 'runs', 'web-check');
/** An enlarged (259×194) and two reduced photos. */
const PHOTOS = ['raccoon-102.jpg', 'raccoon-107.jpg', 'raccoon-117.jpg'].map((f) => join(ROOT, 'data', 'raccoon', 'images', f));
/** Where the slider is moved to (the page opens at 0.5, predict runs at this). */
const THRESHOLD = 0.2;
const BOX_TOLERANCE = 0.5;
const SCORE_TOLERANCE = 1e-3;
const ENGINES = ['wasm', 'webgl', 'webgpu'] as const;

interface EngineRun {
  engine: (typeof ENGINES)[number];
  describe?: string;
  error?: string;
  comparison?: Comparison;
  imagesPerSecond?: number;
  screenshot?: string;
}

type Window = { retinaWeb: RetinaWebApi };

/** Runs a TypeScript CLI in a child process (tsx); resolves with its exit status and output. */
function runTs(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

/** FNV-1a of the RGB bytes: the page's (window.retinaWeb) and sharp's decode of a file, compared. */
function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const v of data) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return h;
}

const skip = process.env[SKIP_VARIABLE] === '1';
if (skip) console.log(`browser check skipped: ${SKIP_VARIABLE}=1`);

(skip ? describe.skip : describe)('the web page in headless Chromium', () => {
  let dir: string;
  let site: string;
  let build: SiteReport;
  let predicted: ImageDets[];
  let server: StaticServer;
  let browser: Browser;
  let browserVersion: string;
  const runs: EngineRun[] = [];

  beforeAll(async () => {
    const chromium = findChromium(); // fails here, with how to install it, when there is none
    dir = mkdtempSync(join(tmpdir(), 'retina-web-check-'));
    site = join(dir, 'site');
    mkdirSync(OUT, { recursive: true });
    await selectEngine({ backend: 'cpu' });
    const net = createRetinaNet({
      numClasses: 2,
      categories: [{ id: 1, name: 'raccoon' }, { id: 2, name: 'other' }],
      seed: 11,
      backbone: { depth: 'narrow', width: 8, blocks: [1, 1, 1, 1] },
      fpn: { channels: 16 },
      head: { channels: 16, convs: 1, prior: 0.05, initStd: 0.05 },
      testSize: { shortSide: 128, maxSize: 192 },
    });
    const model = join(dir, 'model');
    await saveRetinaNet(net, model);
    net.dispose();
    const predictions = join(dir, 'predict.json');
    const [built, exported, predict] = await Promise.all([
      runTs(WEB, ['--build-only', '--json', '--out', site, '--samples', ...PHOTOS]),
      runTs(EVAL, ['export', '--model', model, '--out', join(site, 'model')]),
      runTs(EVAL, ['predict', '--model', model, ...PHOTOS, '--score-threshold', String(THRESHOLD), '--backend', 'wasm', '--quiet', '--out', predictions]),
    ]);
    for (const [what, r] of [['npm run web -- --build-only', built], ['retina-eval export', exported], ['retina-eval predict', predict]] as const) {
      if (r.code !== 0) throw new Error(`${what} exited with ${r.code}:\n${r.stderr}`);
    }
    build = JSON.parse(built.stdout);
    const output = JSON.parse(readFileSync(predictions, 'utf8')) as { images: (ImageDets & { file: string })[] };
    predicted = output.images.map((im) => ({ ...im, name: basename(im.file) }));
    server = await serveDir(site);
    browser = await launchChromium(chromium);
    browserVersion = await browser.version();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (runs.length === 0) return;
    const lines = [
      `browser: ${browserVersion}; page bundle app.js ${(build.bundle.bytes / 1024).toFixed(0)} KiB minified (${(build.bundle.gzip / 1024).toFixed(0)} KiB gzipped)`,
      ...runs.map((r) =>
        r.comparison
          ? `${r.engine}: ran on ${r.describe}; ${r.comparison.compared} detections on ${r.comparison.images} images compared with retina-eval predict (score ≥ ${THRESHOLD}): ` +
            `largest box difference ${r.comparison.maxBox.toFixed(4)} px, largest score difference ${r.comparison.maxScore.toFixed(4)}` +
            `${r.comparison.problems.length ? `, ${r.comparison.problems.length} disagreements` : ''}; ${r.imagesPerSecond?.toFixed(1)} images/s (tiny test model, 128 px)`
          : `${r.engine}: did not start: ${r.error}`,
      ),
      `screenshot: ${relative(ROOT, join(OUT, 'screenshot.png'))}`,
    ];
    writeFileSync(join(OUT, 'report.json'), `${JSON.stringify({ browserVersion, bundle: build.bundle, threshold: THRESHOLD, runs }, null, 2)}\n`);
    console.log(`browser check\n  ${lines.join('\n  ')}`);
  });

  /** Opens the page on `engine` at threshold 0.5, moves the slider to THRESHOLD, returns what it draws. */
  async function openPage(engine: string): Promise<{ page: Page; ready: { ok: boolean; error?: string }; shown: ShownImage[]; describe?: string }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(`${server.url}?engine=${engine}&threshold=0.5`);
    const ready = await page.evaluate(() => (window as unknown as Window).retinaWeb.ready);
    if (!ready.ok) return { page, ready, shown: [] };
    await page.$eval('#threshold', (el, v) => {
      (el as HTMLInputElement).value = String(v);
      el.dispatchEvent(new Event('input'));
    }, THRESHOLD);
    const shown = await page.evaluate(() => (window as unknown as Window).retinaWeb.shown());
    const describe = await page.evaluate(() => (window as unknown as Window).retinaWeb.engine?.describe);
    return { page, ready, shown, describe };
  }

  it.each(ENGINES)('%s: draws the detections retina-eval predict finds (count; boxes ≤ 0.5 px; scores ≤ 1e-3)', async (engine) => {
    const { page, ready, shown, describe } = await openPage(engine);
    try {
      const run: EngineRun = { engine };
      runs.push(run);
      if (!ready.ok) {
        run.error = ready.error;
        // the page must start wasm; webgl and webgpu count where this browser offers them
        expect([engine, engine === 'wasm' ? ready.error : 'optional']).toEqual([engine, 'optional']);
        return;
      }
      run.describe = describe;
      expect(describe).toMatch(new RegExp(`^${engine}`));
      expect(await page.$eval('#threshold-value', (el) => el.textContent)).toBe(THRESHOLD.toFixed(2));
      const comparison = compareDetections(shown, predicted, BOX_TOLERANCE, SCORE_TOLERANCE);
      run.comparison = comparison;
      expect(comparison.problems).toEqual([]);
      expect(comparison.images).toBe(PHOTOS.length);
      expect(comparison.compared).toBeGreaterThanOrEqual(10);
      // the slider decides what is drawn: every caption counts the boxes at or above it
      const captions = await page.$$eval('figcaption', (els) => els.map((e) => e.textContent ?? ''));
      expect(captions).toEqual(shown.map((s) => expect.stringContaining(`${s.detections.length} box${s.detections.length === 1 ? '' : 'es'} ≥ ${THRESHOLD.toFixed(2)}`)));
      const times = await page.evaluate(() => (window as unknown as Window).retinaWeb.benchmark(2));
      run.imagesPerSecond = 1000 / (times.reduce((a, b) => a + b, 0) / times.length);
      run.screenshot = relative(ROOT, join(OUT, `screenshot-${engine}.png`));
      await page.screenshot({ path: join(OUT, `screenshot-${engine}.png`), fullPage: true });
      if (engine === 'wasm') await page.screenshot({ path: join(OUT, 'screenshot.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 180_000);

  it('decodes the photos to the pixels sharp gives retina-eval predict (same RGB bytes)', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}?engine=wasm`);
      await page.evaluate(() => (window as unknown as Window).retinaWeb.ready);
      const pageHashes = await page.evaluate(() => (window as unknown as Window).retinaWeb.rgbHashes());
      const sharpHashes = await Promise.all(PHOTOS.map(async (p) => fnv1a(new Uint8Array(await sharp(p).autoOrient().removeAlpha().toColourspace('srgb').raw().toBuffer()))));
      expect(pageHashes).toEqual(sharpHashes);
    } finally {
      await page.close();
    }
  }, 120_000);
});
