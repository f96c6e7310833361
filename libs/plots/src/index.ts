export { renderLineChartPng, type LineSeries, type LineChartOptions } from './line-chart';
export { writePngAtomic } from './write-png';
