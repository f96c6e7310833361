/** The synthetic dataset's object classes: each a polygon generator around a centre and a size. */
import type { Rng } from '@retina/coco';

/** A polygon as [x0, y0, x1, y1, ...] in pixels. */
export type Polygon = number[];

export interface ShapeClass {
  name: string;
  /** A polygon whose bounding box is about `size` × `size` pixels around (cx, cy). */
  polygon(cx: number, cy: number, size: number, rng: Rng): Polygon;
}

function regular(cx: number, cy: number, radii: readonly number[], points: number, rotation: number): Polygon {
  const out: Polygon = [];
  for (let k = 0; k < points; k++) {
    const a = rotation + (2 * Math.PI * k) / points;
    const r = radii[k % radii.length];
    out.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
  }
  return out;
}

/** Circle, rectangle, triangle, diamond, star: distinct silhouettes; the last is the "rare" class. */
export const SHAPES: readonly ShapeClass[] = [
  { name: 'circle', polygon: (cx, cy, s) => regular(cx, cy, [s / 2], 48, 0) },
  {
    name: 'rectangle',
    polygon: (cx, cy, s, rng) => {
      const aspect = rng.uniform(0.5, 1);
      const [w, h] = rng.chance(0.5) ? [s, s * aspect] : [s * aspect, s];
      return [cx - w / 2, cy - h / 2, cx + w / 2, cy - h / 2, cx + w / 2, cy + h / 2, cx - w / 2, cy + h / 2];
    },
  },
  { name: 'triangle', polygon: (cx, cy, s) => [cx, cy - s / 2, cx + s / 2, cy + s / 2, cx - s / 2, cy + s / 2] },
  { name: 'diamond', polygon: (cx, cy, s) => [cx, cy - s / 2, cx + s / 2, cy, cx, cy + s / 2, cx - s / 2, cy] },
  { name: 'star', polygon: (cx, cy, s) => regular(cx, cy, [s / 2, s / 5], 10, -Math.PI / 2) },
];

/** Bounding box [x1, y1, x2, y2] of a polygon. */
export function polygonBounds(p: Polygon): [number, number, number, number] {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let i = 0; i < p.length; i += 2) {
    x1 = Math.min(x1, p[i]);
    x2 = Math.max(x2, p[i]);
    y1 = Math.min(y1, p[i + 1]);
    y2 = Math.max(y2, p[i + 1]);
  }
  return [x1, y1, x2, y2];
}

/** Area of a simple polygon (shoelace formula). */
export function polygonArea(p: Polygon): number {
  let twice = 0;
  for (let i = 0; i < p.length; i += 2) {
    const j = (i + 2) % p.length;
    twice += p[i] * p[j + 1] - p[j] * p[i + 1];
  }
  return Math.abs(twice) / 2;
}
