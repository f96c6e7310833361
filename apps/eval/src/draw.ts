/**
 * Boxes with labels drawn on an image (`retina-eval predict --draw DIR`): the layout is computed in
 * whole pixels here, rendered as one SVG overlay and composited onto the RGB pixels with sharp.
 */
import type { RgbImage, Size } from '@retina/coco';
import { boxColor } from '@retina/image';
import sharp from 'sharp';

/** Box colours by class index (tab10; @retina/image's palette, which the web page draws with too). */
export { BOX_COLORS, boxColor } from '@retina/image';
/** One pixel of box edge per this many pixels of the image's shorter side (at least 1). */
const PIXELS_PER_LINE_WIDTH = 160;
/** Label font size: the shorter side / this, at least MIN_FONT_SIZE px. */
const PIXELS_PER_FONT_SIZE = 40;
const MIN_FONT_SIZE = 9;
/** Label text width per character, as a fraction of the font size (DejaVu Sans averages ~0.6). */
const CHAR_WIDTH = 0.62;
const LABEL_PADDING = 2;
const FONT_FAMILY = 'DejaVu Sans, Arial, Helvetica, sans-serif';

/** A box to draw. */
export interface DrawnBox {
  /** [x1, y1, x2, y2] in image pixels (continuous coordinates: pixel i spans [i, i + 1)). */
  readonly box: readonly [number, number, number, number];
  /** Picks the colour: `BOX_COLORS[colorIndex % 10]` (the class index). */
  readonly colorIndex: number;
  /** Label text, e.g. "raccoon 0.87". */
  readonly caption: string;
}

/** Filled pixels: columns x .. x + width − 1, rows y .. y + height − 1. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What gets painted, in painting order (later on top); every label is painted after every box. */
export interface OverlayLayout {
  readonly boxes: readonly { readonly color: string; readonly edges: readonly PixelRect[] }[];
  readonly labels: readonly { readonly color: string; readonly textColor: string; readonly rect: PixelRect; readonly fontSize: number; readonly caption: string }[];
}

/** Width of the box edges for an image of `size`. */
export const lineWidth = (size: Size): number => Math.max(1, Math.round(Math.min(size.width, size.height) / PIXELS_PER_LINE_WIDTH));

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * The pixel columns L..R and rows T..B a box covers: L = round(x1), R = round(x2) − 1 (likewise for
 * rows), clamped to the image and to at least one pixel.
 */
export function boxPixels(box: DrawnBox['box'], size: Size): { left: number; top: number; right: number; bottom: number } {
  const left = clamp(Math.round(box[0]), 0, size.width - 1);
  const top = clamp(Math.round(box[1]), 0, size.height - 1);
  return { left, top, right: clamp(Math.round(box[2]) - 1, left, size.width - 1), bottom: clamp(Math.round(box[3]) - 1, top, size.height - 1) };
}

/** The four edges of a box, `width` pixels thick, drawn inside its pixels L..R × T..B. */
export function edgeRects(box: DrawnBox['box'], size: Size, width: number): PixelRect[] {
  const { left, top, right, bottom } = boxPixels(box, size);
  const w = right - left + 1;
  const h = bottom - top + 1;
  const tw = Math.min(width, w);
  const th = Math.min(width, h);
  return [
    { x: left, y: top, width: w, height: th },
    { x: left, y: bottom - th + 1, width: w, height: th },
    { x: left, y: top, width: tw, height: h },
    { x: right - tw + 1, y: top, width: tw, height: h },
  ];
}

/** The label's rectangle: above the box's top-left corner, or just inside it when there is no room. */
function labelRect(box: DrawnBox['box'], caption: string, size: Size, fontSize: number): PixelRect {
  const { left, top } = boxPixels(box, size);
  const height = Math.min(fontSize + 2 * LABEL_PADDING, size.height);
  const width = Math.min(Math.ceil(caption.length * fontSize * CHAR_WIDTH) + 2 * LABEL_PADDING, size.width);
  const y = top - height >= 0 ? top - height : Math.min(top, size.height - height);
  return { x: Math.min(left, size.width - width), y, width, height };
}

/** Black text on light colours, white on dark ones. */
function textColorOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#000000' : '#ffffff';
}

/**
 * Where each box and label goes. `boxes[0]` is painted last (on top), so give them best first.
 */
export function overlayLayout(boxes: readonly DrawnBox[], size: Size): OverlayLayout {
  const width = lineWidth(size);
  const fontSize = Math.max(MIN_FONT_SIZE, Math.round(Math.min(size.width, size.height) / PIXELS_PER_FONT_SIZE));
  const order = [...boxes].reverse();
  return {
    boxes: order.map((b) => ({ color: boxColor(b.colorIndex), edges: edgeRects(b.box, size, width) })),
    labels: order.map((b) => {
      const color = boxColor(b.colorIndex);
      return { color, textColor: textColorOn(color), rect: labelRect(b.box, b.caption, size, fontSize), fontSize, caption: b.caption };
    }),
  };
}

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

const rectSvg = (r: PixelRect, fill: string): string => `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="${fill}"/>`;

/** The layout as an SVG of the image's size (crisp edges: whole-pixel rectangles keep exact colours). */
export function overlaySvg(layout: OverlayLayout, size: Size): string {
  const boxes = layout.boxes.flatMap((b) => b.edges.map((e) => rectSvg(e, b.color)));
  // Each label is a nested <svg>, which clips its text to the label's rectangle.
  const labels = layout.labels.map(({ rect: r, color, textColor, fontSize, caption }) =>
    [
      `<svg x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}">`,
      rectSvg({ x: 0, y: 0, width: r.width, height: r.height }, color),
      `<text x="${LABEL_PADDING}" y="${LABEL_PADDING + Math.round(0.8 * fontSize)}" font-family="${FONT_FAMILY}" font-size="${fontSize}" fill="${textColor}">${escapeXml(caption)}</text>`,
      '</svg>',
    ].join(''),
  );
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" shape-rendering="crispEdges">`, ...boxes, ...labels, '</svg>'].join('\n');
}

/**
 * `image` with `boxes` drawn on it, as PNG bytes (RGB, the image's size).
 * @param boxes best first (the first is painted on top)
 */
export async function drawBoxesPng(image: RgbImage, boxes: readonly DrawnBox[]): Promise<Buffer> {
  const size = { width: image.width, height: image.height };
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return sharp(pixels, { raw: { width: size.width, height: size.height, channels: 3 } })
    .composite([{ input: Buffer.from(overlaySvg(overlayLayout(boxes, size), size)), left: 0, top: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}
