import { createRequire } from 'node:module';
import { createCanvas } from '@napi-rs/canvas';
import type { Chart, ChartConfiguration, Plugin } from 'chart.js' with { 'resolution-mode': 'import' };

type ChartJsModule = typeof import('chart.js', { with: { 'resolution-mode': 'import' } });

let chartJs: typeof Chart | undefined;

/**
 * chart.js with every controller, scale and plugin registered, loaded on first use. Loaded through
 * its CommonJS build (`require`) so that it works wherever this CommonJS module runs.
 */
function loadChartJs(): typeof Chart {
  if (chartJs === undefined) {
    const { Chart: ChartJs, registerables } = createRequire(__filename)('chart.js') as ChartJsModule;
    ChartJs.register(...registerables);
    chartJs = ChartJs;
  }
  return chartJs;
}

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

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Paints the canvas white before the chart (PNG backgrounds are transparent otherwise). */
const whiteBackground: Plugin<'line'> = {
  id: 'whiteBackground',
  beforeDraw: (chart) => {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

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
    plugins: [whiteBackground],
  };
  const ChartJs = loadChartJs();
  const chart = new ChartJs(canvas.getContext('2d'), config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
