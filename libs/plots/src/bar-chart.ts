import { createCanvas } from '@napi-rs/canvas';
import type { ChartConfiguration } from 'chart.js' with { 'resolution-mode': 'import' };
import { loadChartJs, PALETTE, whiteBackground } from './chart-js';

/** One colour of bars in a grouped bar chart: `values[i]` is its bar in category `i`. */
export interface BarSeries {
  readonly label: string;
  /** One value per category; `null` leaves a gap (e.g. a metric that is undefined). */
  readonly values: readonly (number | null)[];
  /** CSS colour; a palette colour by default. */
  readonly color?: string;
}

/** Layout of a bar chart. Every field is optional. */
export interface BarChartOptions {
  /** Pixels (default 800 × 600). */
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly yLabel?: string;
  /** Value-axis limits (default: fitted to the data, from 0). */
  readonly yRange?: readonly [number, number];
}

/**
 * Renders a grouped bar chart (one group per category, one bar per series) to a PNG with chart.js
 * on an @napi-rs/canvas canvas.
 * @param categories the group labels along the x axis
 * @throws RangeError when a series does not have one value per category
 * @returns the PNG bytes
 */
export async function renderBarChartPng(categories: readonly string[], series: readonly BarSeries[], opts: BarChartOptions = {}): Promise<Buffer> {
  for (const s of series) {
    if (s.values.length !== categories.length) {
      throw new RangeError(`renderBarChartPng: series "${s.label}" has ${s.values.length} values for ${categories.length} categories`);
    }
  }
  const canvas = createCanvas(opts.width ?? 800, opts.height ?? 600);
  const config: ChartConfiguration<'bar', (number | null)[], string> = {
    type: 'bar',
    data: {
      labels: [...categories],
      datasets: series.map((s, i) => ({ label: s.label, data: [...s.values], backgroundColor: s.color ?? PALETTE[i % PALETTE.length] })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: { title: { display: opts.title !== undefined, text: opts.title ?? '' }, legend: { display: series.length > 0 } },
      scales: {
        y: { beginAtZero: true, min: opts.yRange?.[0], max: opts.yRange?.[1], title: { display: opts.yLabel !== undefined, text: opts.yLabel ?? '' } },
      },
    },
    plugins: [whiteBackground<'bar'>()],
  };
  const chart = new (loadChartJs())(canvas.getContext('2d'), config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
