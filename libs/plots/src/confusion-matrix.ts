import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';

/**
 * A detection confusion matrix to draw. Structurally what `@retina/coco-eval`'s `confusionMatrix`
 * returns (this lib imports no other `@retina` package): rows are predicted classes, columns true
 * classes, both in `classes` order followed by one background row / column.
 */
export interface ConfusionMatrixPlotInput {
  /** The C classes (background is added as the last label). */
  readonly classes: readonly { readonly name: string }[];
  /** [C + 1][C + 1], matrix[predicted][true]. */
  readonly matrix: readonly (readonly number[])[];
  /** Stated in the default title when given. */
  readonly iouThreshold?: number;
  readonly scoreThreshold?: number;
}

/** Options of `confusionMatrixPng`. Every field is optional. */
export interface ConfusionMatrixPngOptions {
  /** Divide each column by its sum (where each true class went) and print fractions. Default false. */
  readonly normalize?: boolean;
  /** Default: `Confusion matrix at IoU …, score ≥ …` (and `, normalised by column`). */
  readonly title?: string;
  /** Side of one cell in pixels (default: 720 / (C + 1), between 12 and 64). */
  readonly cellSize?: number;
}

/** Where the grid lies in the image: cell (p, t) spans x ∈ [left + t·cell, +cell), y ∈ [top + p·cell, +cell). */
export interface ConfusionMatrixLayout {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly cell: number;
}

const FONT_FAMILY = 'sans-serif';
const TITLE_FONT = `bold 16px ${FONT_FAMILY}`;
/** Total grid side the default cell size aims for, in pixels. */
const GRID_PIXELS = 720;
const MIN_CELL = 12;
const MAX_CELL = 64;
const TITLE_BAND = 44;
const AXIS_TITLE_BAND = 28;
const LABEL_GAP = 6;
const MARGIN = 16;
/** matplotlib's "Blues" colour map, from 0 to 1. */
const BLUES: readonly (readonly [number, number, number])[] = [
  [247, 251, 255],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

/** "Blues" at t ∈ [0, 1], linearly between the stops. */
export function blues(t: number): [number, number, number] {
  const x = Math.min(Math.max(t, 0), 1) * (BLUES.length - 1);
  const i = Math.min(Math.floor(x), BLUES.length - 2);
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(BLUES[i][c] + f * (BLUES[i + 1][c] - BLUES[i][c]))) as [number, number, number];
}

function checkInput(input: ConfusionMatrixPlotInput): void {
  const n = input.classes.length + 1;
  if (input.matrix.length !== n || input.matrix.some((row) => row.length !== n)) {
    const shape = `${input.matrix.length} × ${input.matrix[0]?.length ?? 0}`;
    throw new RangeError(`confusionMatrixPng: matrix is ${shape} for ${input.classes.length} classes (needs ${n} × ${n}, background last)`);
  }
}

/** Each column divided by its sum; an empty column stays 0. */
function normalizeColumns(matrix: readonly (readonly number[])[]): number[][] {
  const sums = matrix[0].map((_, t) => matrix.reduce((s, row) => s + row[t], 0));
  return matrix.map((row) => row.map((v, t) => (sums[t] > 0 ? v / sums[t] : 0)));
}

/** Width of the widest label in the current font. */
const widestLabel = (ctx: SKRSContext2D, labels: readonly string[]): number => Math.ceil(Math.max(...labels.map((l) => ctx.measureText(l).width)));

const labelsOf = (input: ConfusionMatrixPlotInput): string[] => [...input.classes.map((c) => c.name), 'background'];
const labelFont = (cell: number): number => Math.max(8, Math.min(13, Math.floor(cell * 0.45)));
const cellFont = (cell: number): number => Math.min(14, Math.floor(cell * 0.32));

function layoutWith(ctx: SKRSContext2D, input: ConfusionMatrixPlotInput, opts: ConfusionMatrixPngOptions): ConfusionMatrixLayout & { verticalX: boolean } {
  const labels = labelsOf(input);
  const cell = Math.round(opts.cellSize ?? Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(GRID_PIXELS / labels.length))));
  ctx.font = `${labelFont(cell)}px ${FONT_FAMILY}`;
  const widest = widestLabel(ctx, labels);
  const verticalX = widest > cell - 4;
  const left = MARGIN + AXIS_TITLE_BAND + widest + LABEL_GAP;
  const top = TITLE_BAND;
  const grid = cell * labels.length;
  const bottom = LABEL_GAP + (verticalX ? widest : labelFont(cell) + 4) + AXIS_TITLE_BAND + MARGIN;
  ctx.font = TITLE_FONT;
  const titleWidth = Math.ceil(ctx.measureText(titleOf(input, opts)).width);
  const width = Math.max(left + grid + MARGIN, titleWidth + 2 * MARGIN);
  // A title wider than the grid: centre the grid (and its labels) under it.
  const shift = Math.floor((width - (left + grid + MARGIN)) / 2);
  return { width, height: top + grid + bottom, left: left + shift, top, cell, verticalX };
}

/** The image size and where the grid lies, for a given input (what `confusionMatrixPng` draws). */
export function confusionMatrixLayout(input: ConfusionMatrixPlotInput, opts: ConfusionMatrixPngOptions = {}): ConfusionMatrixLayout {
  checkInput(input);
  const { width, height, left, top, cell } = layoutWith(createCanvas(1, 1).getContext('2d'), input, opts);
  return { width, height, left, top, cell };
}

function titleOf(input: ConfusionMatrixPlotInput, opts: ConfusionMatrixPngOptions): string {
  if (opts.title !== undefined) return opts.title;
  const normalize = opts.normalize ?? false;
  const at = [
    input.iouThreshold === undefined ? '' : `IoU ${input.iouThreshold}`,
    input.scoreThreshold === undefined ? '' : `score ≥ ${input.scoreThreshold}`,
  ].filter((s) => s !== '');
  return `Confusion matrix${at.length ? ` at ${at.join(', ')}` : ''}${normalize ? ', normalised by column' : ''}`;
}

/**
 * Draws a confusion matrix as a heat map ("Blues", darker = more) straight on an @napi-rs/canvas
 * canvas: true classes along x, predicted classes down y, background last on both; each non-zero cell
 * shows its count (or, normalised, its fraction) when the cell is large enough for the text.
 * @throws RangeError when the matrix is not (C + 1) × (C + 1)
 * @returns the PNG bytes
 */
export async function confusionMatrixPng(input: ConfusionMatrixPlotInput, opts: ConfusionMatrixPngOptions = {}): Promise<Buffer> {
  checkInput(input);
  const normalize = opts.normalize ?? false;
  const labels = labelsOf(input);
  const n = labels.length;
  const values = normalize ? normalizeColumns(input.matrix) : input.matrix.map((row) => [...row]);
  const max = Math.max(...values.flat());
  const measure = createCanvas(1, 1).getContext('2d');
  const { width, height, left, top, cell, verticalX } = layoutWith(measure, input, opts);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  ctx.fillStyle = '#000000';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = TITLE_FONT;
  ctx.fillText(titleOf(input, opts), width / 2, TITLE_BAND / 2);

  const textSize = cellFont(cell);
  ctx.font = `${textSize}px ${FONT_FAMILY}`;
  for (let p = 0; p < n; p++) {
    for (let t = 0; t < n; t++) {
      const v = values[p][t];
      const shade = max > 0 ? (normalize ? v : v / max) : 0;
      const [r, g, b] = blues(shade);
      const x = left + t * cell;
      const y = top + p * cell;
      ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
      ctx.fillRect(x, y, cell, cell);
      if (v === 0 || textSize < 7) continue;
      const text = normalize ? v.toFixed(2) : String(v);
      if (ctx.measureText(text).width > cell - 2) continue;
      ctx.fillStyle = shade > 0.5 ? '#ffffff' : '#1a1a1a';
      ctx.fillText(text, x + cell / 2, y + cell / 2);
    }
  }
  ctx.strokeStyle = '#808080';
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, n * cell - 1, n * cell - 1);

  const grid = n * cell;
  ctx.fillStyle = '#000000';
  ctx.font = `${labelFont(cell)}px ${FONT_FAMILY}`;
  const yTitleX = left - widestLabel(ctx, labels) - LABEL_GAP - AXIS_TITLE_BAND / 2;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  labels.forEach((label, p) => ctx.fillText(label, left - LABEL_GAP, top + p * cell + cell / 2));
  labels.forEach((label, t) => {
    const x = left + t * cell + cell / 2;
    if (verticalX) {
      ctx.save();
      ctx.translate(x, top + grid + LABEL_GAP);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(label, 0, 0);
      ctx.restore();
    } else {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(label, x, top + grid + LABEL_GAP);
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
    }
  });

  ctx.font = `bold 13px ${FONT_FAMILY}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText('True', left + grid / 2, height - MARGIN - AXIS_TITLE_BAND / 2);
  ctx.save();
  ctx.translate(yTitleX, top + grid / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('Predicted', 0, 0);
  ctx.restore();
  return canvas.encode('png');
}
