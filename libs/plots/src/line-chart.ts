import { createCanvas } from '@napi-rs/canvas';
import type { ChartConfiguration } from 'chart.js' with { 'resolution-mode': 'import' };
import { loadChartJs, PALETTE, whiteBackground } from './chart-js';

/** One line of a chart: points (x[i], y[i]). */
export interface LineSeries {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** CSS colour; a palette colour by default. */
  readonly color?: string;
}

/** Layout of a line chart. Every field is optional. */
export interface LineChartOptions {
  /** Pixels (default 800 × 600). */
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Axis limits (default: fitted to the data). */
  readonly xRange?: readonly [number, number];
  readonly yRange?: readonly [number, number];
  /** Default 'linear'; 'logarithmic' suits loss curves. */
  readonly yScale?: 'linear' | 'logarithmic';
}

function axis(label: string | undefined, range: readonly [number, number] | undefined, type: 'linear' | 'logarithmic') {
  return { type, min: range?.[0], max: range?.[1], title: { display: label !== undefined, text: label ?? '' } };
}

/**
 * Renders line series to a PNG with chart.js on an @napi-rs/canvas canvas (no browser needed).
 * @returns the PNG bytes
 */
export async function renderLineChartPng(series: readonly LineSeries[], opts: LineChartOptions = {}): Promise<Buffer> {
  const canvas = createCanvas(opts.width ?? 800, opts.height ?? 600);
  const config: ChartConfiguration<'line', { x: number; y: number }[]> = {
    type: 'line',
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.x.map((x, j) => ({ x, y: s.y[j] })),
        borderColor: s.color ?? PALETTE[i % PALETTE.length],
        backgroundColor: s.color ?? PALETTE[i % PALETTE.length],
        borderWidth: 2,
        pointRadius: 0,
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: { title: { display: opts.title !== undefined, text: opts.title ?? '' }, legend: { display: series.length > 0 } },
      scales: { x: axis(opts.xLabel, opts.xRange, 'linear'), y: axis(opts.yLabel, opts.yRange, opts.yScale ?? 'linear') },
    },
    plugins: [whiteBackground<'line'>()],
  };
  const ChartJs = loadChartJs();
  const chart = new ChartJs(canvas.getContext('2d'), config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
