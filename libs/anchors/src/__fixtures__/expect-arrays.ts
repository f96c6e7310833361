/**
 * Exact element-wise equality of two numeric arrays (NaN equals NaN, −0 equals 0), reporting the first
 * difference. Much cheaper than
 * jest's deep equality for arrays of 10^4–10^5 elements checked inside property tests.
 */
export function expectSameArray(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'element'): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && actual[i] !== expected[i]) {
      throw new Error(`${what} ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}
