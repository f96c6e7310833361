import fc from 'fast-check';
import { JsonArrayStream, JsonArrayStreamError } from './json-array-stream';

/** Feeds `text` in the given chunk sizes; returns the elements. */
function parse(text: string, chunkSizes: number[] = [text.length]): unknown[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: unknown[] = [];
  const stream = new JsonArrayStream((v, i) => {
    expect(i).toBe(out.length);
    out.push(v);
  });
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]);
    stream.write(bytes.subarray(at, at + size));
    at += size;
  }
  expect(stream.end()).toBe(out.length);
  return out;
}

describe('JsonArrayStream', () => {
  it('yields the elements JSON.parse yields, however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1 }), fc.boolean(), (values, sizes, pretty) => {
        const text = JSON.stringify(values, null, pretty ? 2 : undefined);
        expect(parse(text, sizes)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('handles strings with brackets, commas, escapes and multi-byte characters across chunks', () => {
    const text = JSON.stringify([{ a: 'x],[{"\\' }, 'é€😀,', [1, [2, '"']]]);
    for (let size = 1; size < 8; size++) expect(parse(text, [size])).toEqual(JSON.parse(text));
  });

  it('accepts an empty array, surrounding whitespace and a BOM', () => {
    expect(parse(' [ ] \n')).toEqual([]);
    expect(parse('\uFEFF[1]')).toEqual([1]);
  });

  it.each([
    ['', /the file is empty/],
    ['{"images": []}', /expected a JSON array, found an object at the start/],
    ['[1, 2', /element 1: unexpected end of file inside the array/],
    ['[1, 2,]', /element 2: missing value \(empty element or trailing comma\)/],
    ['[1,, 2]', /element 1: missing value/],
    ['[1, {"a": tru}]', /element 1: invalid JSON/],
    ['[1] x', /unexpected "x" after the end of the array/],
    ['[1}', /element 0: unexpected "}"/],
  ])('rejects %p', (text, message) => {
    expect(() => parse(text, [3])).toThrow(JsonArrayStreamError);
    expect(() => parse(text, [3])).toThrow(message);
  });
});
