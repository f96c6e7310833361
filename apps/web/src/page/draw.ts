/** Detections drawn on a canvas over their image: a box per detection in its class colour, and a "name 0.87" label. */
import { boxColor } from '@retina/image';
import type { ReportedDetection } from '@retina/retinanet';

/** One pixel of box edge per this many pixels of the image's shorter side (as `retina-eval predict --draw`). */
const PIXELS_PER_LINE_WIDTH = 160;
/** Label font size: the shorter side / this, at least MIN_FONT_SIZE px. */
const PIXELS_PER_FONT_SIZE = 40;
const MIN_FONT_SIZE = 9;

/**
 * Draws `bitmap` at its own size, then `detections` (best first: painted last, on top).
 * @param classIndex the class index of a category id (picks the colour)
 */
export function drawDetections(canvas: HTMLCanvasElement, bitmap: ImageBitmap, detections: readonly ReportedDetection[], classIndex: (categoryId: number) => number): void {
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.drawImage(bitmap, 0, 0);
  const short = Math.min(bitmap.width, bitmap.height);
  const line = Math.max(1, Math.round(short / PIXELS_PER_LINE_WIDTH));
  const font = Math.max(MIN_FONT_SIZE, Math.round(short / PIXELS_PER_FONT_SIZE));
  ctx.lineWidth = line;
  ctx.font = `${font}px sans-serif`;
  ctx.textBaseline = 'top';
  for (const d of [...detections].reverse()) {
    const [x1, y1, x2, y2] = d.box;
    const color = boxColor(classIndex(d.categoryId));
    ctx.strokeStyle = color;
    ctx.strokeRect(x1 + line / 2, y1 + line / 2, Math.max(0, x2 - x1 - line), Math.max(0, y2 - y1 - line));
    const caption = `${d.category} ${d.score.toFixed(2)}`;
    const w = ctx.measureText(caption).width + 4;
    const top = y1 - font - 2 >= 0 ? y1 - font - 2 : y1;
    ctx.fillStyle = color;
    ctx.fillRect(x1, top, w, font + 2);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(caption, x1 + 2, top + 1);
  }
}
