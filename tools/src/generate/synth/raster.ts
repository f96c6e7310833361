/** Rendering of the synthetic images: textured backgrounds and anti-aliased filled polygons. */
import type { Rng } from '@retina/coco';
import { polygonBounds, type Polygon } from './shapes';

export type Rgb = [number, number, number];

/** An RGB image being drawn: row-major HWC, 3 bytes per pixel. */
export interface Canvas {
  data: Uint8Array;
  width: number;
  height: number;
}

export function randomColor(rng: Rng): Rgb {
  return [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
}

/**
 * A textured background: two colours mixed by two octaves of value noise, optionally with stripes,
 * plus per-pixel grain, so that a detector cannot rely on a flat background.
 */
export function texturedBackground(width: number, height: number, rng: Rng): Canvas {
  const a = randomColor(rng);
  const b = randomColor(rng);
  const coarse = valueNoise(width, height, rng.int(24, 64), rng);
  const fine = valueNoise(width, height, rng.int(4, 12), rng);
  const stripes = rng.chance(0.4) ? stripePattern(width, height, rng.uniform(0, Math.PI), rng.uniform(6, 24)) : null;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let t = 0.7 * coarse[y * width + x] + 0.3 * fine[y * width + x];
      if (stripes) t = 0.7 * t + 0.3 * stripes(x, y);
      const grain = rng.uniform(-8, 8);
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = clampByte(a[c] + (b[c] - a[c]) * t + grain);
    }
  }
  return { data, width, height };
}

/**
 * Stripes at `angle` with `period` pixels: 0.5 + 0.5 sin(2π (x cos a + y sin a) / period), using
 * sin(u + v) = sin u cos v + cos u sin v with per-column and per-row tables.
 */
function stripePattern(width: number, height: number, angle: number, period: number): (x: number, y: number) => number {
  const k = (2 * Math.PI) / period;
  const u = Float64Array.from({ length: width }, (_, x) => k * x * Math.cos(angle));
  const v = Float64Array.from({ length: height }, (_, y) => k * y * Math.sin(angle));
  const [sinU, cosU, sinV, cosV] = [u.map(Math.sin), u.map(Math.cos), v.map(Math.sin), v.map(Math.cos)];
  return (x, y) => 0.5 + 0.5 * (sinU[x] * cosV[y] + cosU[x] * sinV[y]);
}

/** Bilinearly interpolated random values on a grid of `cell`-pixel cells, in [0, 1]. */
function valueNoise(width: number, height: number, cell: number, rng: Rng): Float32Array {
  const gw = Math.ceil(width / cell) + 1;
  const gh = Math.ceil(height / cell) + 1;
  const grid = Float32Array.from({ length: gw * gh }, () => rng.float());
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const y0 = gy | 0; // floor, for gy ≥ 0
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / cell;
      const x0 = gx | 0;
      const fx = gx - x0;
      const top = grid[y0 * gw + x0] * (1 - fx) + grid[y0 * gw + x0 + 1] * fx;
      const bottom = grid[(y0 + 1) * gw + x0] * (1 - fx) + grid[(y0 + 1) * gw + x0 + 1] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Sub-pixel sample offsets (4 per pixel) for anti-aliased edges. */
const SAMPLES = [0.25, 0.75];

/** Fills a polygon with `color`, blending edge pixels by their covered fraction. */
export function fillPolygon(canvas: Canvas, polygon: Polygon, color: Rgb): void {
  const [bx1, by1, bx2, by2] = polygonBounds(polygon);
  const x0 = Math.max(0, Math.floor(bx1));
  const y0 = Math.max(0, Math.floor(by1));
  const x1 = Math.min(canvas.width - 1, Math.ceil(bx2));
  const y1 = Math.min(canvas.height - 1, Math.ceil(by2));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let covered = 0;
      for (const sy of SAMPLES) for (const sx of SAMPLES) if (insidePolygon(polygon, x + sx, y + sy)) covered++;
      if (covered === 0) continue;
      const alpha = covered / (SAMPLES.length * SAMPLES.length);
      const i = (y * canvas.width + x) * 3;
      for (let c = 0; c < 3; c++) canvas.data[i + c] = clampByte(canvas.data[i + c] * (1 - alpha) + color[c] * alpha);
    }
  }
}

/** Even–odd rule point-in-polygon test. */
export function insidePolygon(p: Polygon, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
    const xi = p[i];
    const yi = p[i + 1];
    const xj = p[j];
    const yj = p[j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Rounds to the nearest byte value (`(v + 0.5) | 0` rounds as Math.round does for v ≥ 0). */
function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : (v + 0.5) | 0;
}
