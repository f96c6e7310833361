/**
 * The page: starts the fastest engine, loads the exported detector with one call
 * (`loadRetinaNetFromUrl`), runs it on the bundled samples and on pictures the user picks or drops
 * (`detectImage`: the pre- and post-processing of `retina-eval predict`), and draws the boxes that
 * score at least the slider's threshold. URL parameters: `engine` (webgpu | webgl | wasm; default:
 * the fastest that starts), `model` (default model/model.json), `samples` (a JSON list of
 * { name, url }; default samples/samples.json), `threshold` (default 0.3, predict's).
 * `window.retinaWeb` exposes the state to scripts (the headless-Chromium check reads it).
 */
import { aboveThreshold, categoryTable, detectImage, loadRetinaNetFromUrl, type RetinaNet, type ReportedDetection } from '@retina/retinanet';
import { decodeBlob } from './decode';
import { drawDetections } from './draw';
import { PAGE_ENGINES, startEngine, type EngineChoice, type PageEngine } from './engines';
import { MODEL_URL, SAMPLES_URL } from '../site-layout';

/** `retina-eval predict`'s default --score-threshold. */
const DEFAULT_THRESHOLD = 0.3;

interface ImageResult {
  name: string;
  width: number;
  height: number;
  /** Every detection the model gives (score ≥ its postprocess.scoreThresh), best first. */
  detections: ReportedDetection[];
  decodeMs: number;
  detectMs: number;
  rgb: Parameters<typeof detectImage>[1];
  bitmap: ImageBitmap;
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
}

/** An image as the page shows it: the detections drawn (score ≥ the threshold). */
export interface ShownImage {
  name: string;
  width: number;
  height: number;
  decodeMs: number;
  detectMs: number;
  detections: ReportedDetection[];
}

/** `window.retinaWeb`. */
export interface RetinaWebApi {
  /** Settles once the engine, the model and the samples are done (ok: false with the error otherwise). */
  ready: Promise<{ ok: boolean; error?: string }>;
  engine?: EngineChoice;
  model?: { url: string; classes: string[]; testSize: { shortSide: number; maxSize: number }; loadMs: number };
  threshold(): number;
  shown(): ShownImage[];
  /** Runs the detector again on every image shown, `rounds` times over; milliseconds per image, in order. */
  benchmark(rounds: number): Promise<number[]>;
  /** FNV-1a hash of each image's decoded RGB bytes (to compare the browser's decoding with another decoder's). */
  rgbHashes(): number[];
}

function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const v of data) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return h;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const results: ImageResult[] = [];
let net: RetinaNet | undefined;
const askedThreshold = Number(params.get('threshold') ?? DEFAULT_THRESHOLD);
let threshold = askedThreshold >= 0 && askedThreshold <= 1 ? askedThreshold : DEFAULT_THRESHOLD;

function status(text: string, error = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', error);
}

function classIndex(): (categoryId: number) => number {
  const table = categoryTable(net?.config ?? {});
  return (id) => table(id).index;
}

function render(r: ImageResult): void {
  const shown = aboveThreshold(r.detections, threshold);
  drawDetections(r.canvas, r.bitmap, shown, classIndex());
  r.caption.textContent = `${r.name} · ${r.width}×${r.height} · ${shown.length} box${shown.length === 1 ? '' : 'es'} ≥ ${threshold.toFixed(2)} · detect ${r.detectMs.toFixed(0)} ms (decode ${r.decodeMs.toFixed(0)} ms)`;
}

function renderSummary(): void {
  if (results.length === 0) return;
  const boxes = results.reduce((n, r) => n + aboveThreshold(r.detections, threshold).length, 0);
  const ms = results.reduce((t, r) => t + r.detectMs, 0) / results.length;
  $('summary').textContent = `${results.length} image${results.length === 1 ? '' : 's'}, ${boxes} boxes ≥ ${threshold.toFixed(2)} · ${ms.toFixed(0)} ms per image (${(1000 / ms).toFixed(2)} images/s; the first includes the engine's warm-up)`;
}

function renderAll(): void {
  results.forEach(render);
  renderSummary();
}

async function addImage(name: string, blob: Blob): Promise<void> {
  if (!net) return;
  const t0 = performance.now();
  const { bitmap, rgb } = await decodeBlob(blob);
  const t1 = performance.now();
  const detections = await detectImage(net, rgb);
  const t2 = performance.now();
  const figure = document.createElement('figure');
  const canvas = document.createElement('canvas');
  const caption = document.createElement('figcaption');
  figure.append(canvas, caption);
  $('results').append(figure);
  const r: ImageResult = { name, width: rgb.width, height: rgb.height, detections, decodeMs: t1 - t0, detectMs: t2 - t1, rgb, bitmap, canvas, caption };
  results.push(r);
  render(r);
  renderSummary();
}

async function runImages(files: readonly { name: string; blob: () => Promise<Blob> }[]): Promise<void> {
  results.splice(0).forEach((r) => r.bitmap.close());
  $('results').replaceChildren();
  for (const [i, f] of files.entries()) {
    status(`detecting ${i + 1}/${files.length}: ${f.name}`);
    try {
      await addImage(f.name, await f.blob());
    } catch (e) {
      status(`${f.name}: ${(e as Error).message}`, true);
      throw e;
    }
  }
  status(`${files.length} image${files.length === 1 ? '' : 's'} done`);
}

async function runSamples(): Promise<void> {
  const url = params.get('samples') ?? SAMPLES_URL;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const samples = (await response.json()) as { name: string; url: string }[];
  const base = new URL(url, location.href);
  await runImages(samples.map((s) => ({ name: s.name, blob: async () => (await fetch(new URL(s.url, base))).blob() })));
}

function runFiles(list: FileList | null): void {
  const files = Array.from(list ?? []).filter((f) => f.type.startsWith('image/'));
  if (files.length === 0) return;
  runImages(files.map((f) => ({ name: f.name, blob: async () => f }))).catch(() => undefined);
}

function wireControls(): void {
  const slider = $<HTMLInputElement>('threshold');
  slider.value = String(threshold);
  $('threshold-value').textContent = threshold.toFixed(2);
  slider.addEventListener('input', () => {
    threshold = Number(slider.value);
    $('threshold-value').textContent = threshold.toFixed(2);
    renderAll();
  });
  $<HTMLInputElement>('files').addEventListener('change', (e) => runFiles((e.target as HTMLInputElement).files));
  $('samples-button').addEventListener('click', () => void runSamples().catch((e) => status((e as Error).message, true)));
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    runFiles(e.dataTransfer?.files ?? null);
  });
}

async function start(api: RetinaWebApi): Promise<{ ok: boolean; error?: string }> {
  wireControls();
  const asked = params.get('engine') ?? 'auto';
  if (asked !== 'auto' && !(PAGE_ENGINES as readonly string[]).includes(asked)) throw new Error(`?engine=${asked}: expected one of ${PAGE_ENGINES.join(', ')}`);
  status('starting the engine…');
  api.engine = await startEngine(asked as PageEngine | 'auto', (line) => console.log(`engine: ${line}`));
  $('engine').textContent = `engine: ${api.engine.describe}`;
  $('engine').title = api.engine.skipped.map((s) => `${s.engine}: ${s.reason}`).join('\n');
  $('skipped').textContent = api.engine.skipped.map((s) => `${s.engine} did not start: ${s.reason}`).join(' · ');
  const url = params.get('model') ?? MODEL_URL;
  status(`loading ${url}…`);
  const t0 = performance.now();
  net = await loadRetinaNetFromUrl(url);
  const c = net.config;
  api.model = { url, classes: (c.categories ?? []).map((k) => k.name), testSize: c.testSize, loadMs: performance.now() - t0 };
  $('model').textContent = `model: ${api.model.classes.join(', ') || `${c.numClasses} classes`} · test size ${c.testSize.shortSide}/${c.testSize.maxSize} px · loaded in ${api.model.loadMs.toFixed(0)} ms`;
  await runSamples();
  return { ok: true };
}

const api: RetinaWebApi = {
  ready: Promise.resolve({ ok: false }),
  threshold: () => threshold,
  shown: () => results.map((r) => ({ name: r.name, width: r.width, height: r.height, decodeMs: r.decodeMs, detectMs: r.detectMs, detections: aboveThreshold(r.detections, threshold) })),
  benchmark: async (rounds) => {
    const times: number[] = [];
    for (let k = 0; k < rounds; k++) {
      for (const r of results) {
        const t0 = performance.now();
        if (net) await detectImage(net, r.rgb);
        times.push(performance.now() - t0);
      }
    }
    return times;
  },
  rgbHashes: () => results.map((r) => fnv1a(r.rgb.data)),
};
api.ready = start(api).catch((e: Error) => {
  status(e.message, true);
  return { ok: false, error: e.message };
});
(window as unknown as { retinaWeb: RetinaWebApi }).retinaWeb = api;
