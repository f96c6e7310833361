export { renderLineChartPng, type LineSeries, type LineChartOptions } from './line-chart';
export { renderBarChartPng, type BarSeries, type BarChartOptions } from './bar-chart';
export { writePngAtomic } from './write-png';
export {
  confusionMatrixPng,
  confusionMatrixLayout,
  type ConfusionMatrixPlotInput,
  type ConfusionMatrixPngOptions,
  type ConfusionMatrixLayout,
} from './confusion-matrix';
