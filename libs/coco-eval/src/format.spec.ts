import { formatFixed } from './format';

describe("formatFixed (Python's '{:0.Nf}')", () => {
  it.each([
    [0.0625, 3, '0.062'], // exact tie: to even (toFixed gives 0.063)
    [0.1875, 3, '0.188'],
    [0.3125, 3, '0.312'],
    [0.0626, 3, '0.063'],
    [0.14909021705070044, 3, '0.149'],
    [-1, 3, '-1.000'],
    [0.5, 2, '0.50'],
    [0.95, 2, '0.95'],
    [0, 3, '0.000'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
  ])('formats %p with %p decimals as %p', (x, digits, expected) => {
    expect(formatFixed(x, digits)).toBe(expected);
  });
});
