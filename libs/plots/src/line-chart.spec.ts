import { PNG } from 'pngjs';
import { renderLineChartPng } from './line-chart';

/** RGB of the first palette colour (#1f77b4). */
const BLUE = [0x1f, 0x77, 0xb4];

describe('renderLineChartPng', () => {
  it('renders the series onto a white PNG of the requested size', async () => {
    const png = PNG.sync.read(await renderLineChartPng([{ label: 'precision', x: [0, 0.5, 1], y: [1, 0.8, 0] }], { width: 320, height: 240, title: 'PR', xRange: [0, 1], yRange: [0, 1] }));
    expect([png.width, png.height]).toEqual([320, 240]);
    const pixel = (i: number): number[] => Array.from(png.data.subarray(i * 4, i * 4 + 4));
    expect(pixel(0)).toEqual([255, 255, 255, 255]);
    let blue = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b] = pixel(i);
      if (Math.abs(r - BLUE[0]) + Math.abs(g - BLUE[1]) + Math.abs(b - BLUE[2]) < 30) blue++;
    }
    expect(blue).toBeGreaterThan(200); // the line (and its legend swatch)
  });

  it('renders a chart with no series', async () => {
    const png = PNG.sync.read(await renderLineChartPng([], { width: 100, height: 80 }));
    expect([png.width, png.height]).toEqual([100, 80]);
  });
});
