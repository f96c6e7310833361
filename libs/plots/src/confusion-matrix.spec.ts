import { PNG } from 'pngjs';
import { blues, confusionMatrixLayout, confusionMatrixPng, type ConfusionMatrixPlotInput } from './confusion-matrix';

const INPUT: ConfusionMatrixPlotInput = {
  classes: [{ name: 'cat' }, { name: 'dog' }],
  // rows predicted (cat, dog, background), columns true
  matrix: [
    [8, 1, 2],
    [0, 4, 0],
    [2, 5, 0],
  ],
  iouThreshold: 0.5,
  scoreThreshold: 0.25,
};

/** RGB of the pixel 2 px inside the top-left corner of cell (p, t), away from the cell's text. */
function cellColour(png: PNG, input: ConfusionMatrixPlotInput, p: number, t: number, normalize = false): number[] {
  const { left, top, cell } = confusionMatrixLayout(input, { normalize });
  const i = 4 * ((top + p * cell + 2) * png.width + left + t * cell + 2);
  return Array.from(png.data.subarray(i, i + 3));
}

describe('confusionMatrixPng', () => {
  it('draws a white image of the laid-out size, each cell shaded by its count (Blues, max darkest, 0 lightest)', async () => {
    const png = PNG.sync.read(await confusionMatrixPng(INPUT));
    const layout = confusionMatrixLayout(INPUT);
    expect([png.width, png.height]).toEqual([layout.width, layout.height]);
    expect(Array.from(png.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    expect(cellColour(png, INPUT, 0, 0)).toEqual(blues(1));
    expect(cellColour(png, INPUT, 1, 1)).toEqual(blues(4 / 8));
    expect(cellColour(png, INPUT, 1, 0)).toEqual(blues(0));
    // Text was drawn: the max cell holds light pixels (its count) besides its dark fill.
    const { left, top, cell } = layout;
    let light = 0;
    for (let y = top; y < top + cell; y++) {
      for (let x = left; x < left + cell; x++) if (png.data[4 * (y * png.width + x)] > 200) light++;
    }
    expect(light).toBeGreaterThan(5);
  });

  it('normalises by column when asked: each cell shaded by its fraction of the true class', async () => {
    const png = PNG.sync.read(await confusionMatrixPng(INPUT, { normalize: true }));
    expect(cellColour(png, INPUT, 0, 0, true)).toEqual(blues(0.8)); // 8 / (8 + 0 + 2)
    expect(cellColour(png, INPUT, 2, 1, true)).toEqual(blues(0.5)); // 5 / 10
    expect(cellColour(png, INPUT, 0, 2, true)).toEqual(blues(1)); // 2 / 2
  });

  it('fits many classes with smaller cells, and rejects a matrix of the wrong shape', async () => {
    const many: ConfusionMatrixPlotInput = {
      classes: Array.from({ length: 80 }, (_, i) => ({ name: `class ${i}` })),
      matrix: Array.from({ length: 81 }, (_, p) => Array.from({ length: 81 }, (_, t) => (p === t ? 10 : 0))),
    };
    expect(confusionMatrixLayout(many).cell).toBe(12);
    expect(PNG.sync.read(await confusionMatrixPng(many)).width).toBeLessThan(1400);
    await expect(confusionMatrixPng({ classes: [{ name: 'cat' }], matrix: [[1]] })).rejects.toThrow(/matrix is 1 × 1 for 1 classes \(needs 2 × 2, background last\)/);
  });
});
