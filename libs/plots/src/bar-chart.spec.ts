import { PNG } from 'pngjs';
import { renderBarChartPng } from './bar-chart';

/** Pixels within an L1 distance of 30 of `rgb`. */
function countColour(png: PNG, rgb: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const d = Math.abs(png.data[4 * i] - rgb[0]) + Math.abs(png.data[4 * i + 1] - rgb[1]) + Math.abs(png.data[4 * i + 2] - rgb[2]);
    if (d < 30) n++;
  }
  return n;
}

describe('renderBarChartPng', () => {
  it('draws each series as filled bars whose area grows with the values, on white', async () => {
    const png = PNG.sync.read(
      await renderBarChartPng(['AP', 'AP50'], [
        { label: 'small', values: [0.1, 0.1], color: '#ff0000' },
        { label: 'large', values: [0.8, 0.8], color: '#0000ff' },
      ], { width: 400, height: 300, title: 'bars', yRange: [0, 1] }),
    );
    expect([png.width, png.height]).toEqual([400, 300]);
    expect(Array.from(png.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    const red = countColour(png, [255, 0, 0]);
    const blue = countColour(png, [0, 0, 255]);
    expect(red).toBeGreaterThan(200);
    // Same bar widths, 8× the height (the legend swatches add the same amount to both).
    expect(blue / red).toBeGreaterThan(4);
  });

  it('leaves a gap for null and rejects a series of the wrong length', async () => {
    const green = async (values: (number | null)[]): Promise<number> =>
      countColour(PNG.sync.read(await renderBarChartPng(['a'], [{ label: 'x', values, color: '#00ff00' }], { width: 200, height: 150, yRange: [0, 1] })), [0, 255, 0]);
    const [gap, full] = [await green([null]), await green([1])];
    expect(gap).toBeGreaterThan(0); // the legend swatch
    expect(full).toBeGreaterThan(5 * gap);
    await expect(renderBarChartPng(['a', 'b'], [{ label: 'x', values: [1] }])).rejects.toThrow(/series "x" has 1 values for 2 categories/);
  });
});
