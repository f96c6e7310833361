import { createRequire } from 'node:module';
import type { Chart, ChartType, Plugin } from 'chart.js' with { 'resolution-mode': 'import' };

type ChartJsModule = typeof import('chart.js', { with: { 'resolution-mode': 'import' } });

let chartJs: typeof Chart | undefined;

/**
 * chart.js with every controller, scale and plugin registered, loaded on first use. Loaded through
 * its CommonJS build (`require`) so that it works wherever this CommonJS module runs.
 */
export function loadChartJs(): typeof Chart {
  if (chartJs === undefined) {
    const { Chart: ChartJs, registerables } = createRequire(__filename)('chart.js') as ChartJsModule;
    ChartJs.register(...registerables);
    chartJs = ChartJs;
  }
  return chartJs;
}

/** Default series colours (matplotlib's tab10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Paints the canvas white before the chart (PNG backgrounds are transparent otherwise). */
export function whiteBackground<T extends ChartType>(): Plugin<T> {
  return {
    id: 'whiteBackground',
    beforeDraw: (chart) => {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}
