import fc from 'fast-check';
import { JsonRecordScanner, JsonScanError, TopLevelTypeError } from './index';

/** Feeds `text` in the given chunk sizes; returns the elements. */
function parse(text: string, chunkSizes: number[] = [text.length]): unknown[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: unknown[] = [];
  const stream = JsonRecordScanner.forArray((v, i) => {
    expect(i).toBe(out.length);
    out.push(v);
  });
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]);
    stream.feed(bytes.subarray(at, at + size));
    at += size;
  }
  stream.end();
  expect(stream.records).toBe(out.length);
  return out;
}

describe('JsonRecordScanner.forArray (a top-level array of records)', () => {
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
    ['', /^the document is empty \(byte 0\)$/, undefined],
    [' \n ', /^the document is empty \(byte 3\)$/, undefined],
    ['[1, 2', /^in element 1: unexpected end of file \(byte 5\)$/, 1],
    ['[1, 2,]', /^in element 2: missing value \(an empty element or a trailing comma\), found '\]' \(byte 6\)$/, 2],
    ['[1,, 2]', /^in element 1: missing value/, 1],
    ['[1, {"a": tru}]', /^in element 1: .*JSON.* \(byte 14\)$/, 1],
    ['[1] x', /^unexpected 'x' after the end of the document \(byte 4\)$/, undefined],
    ['[1}', /^in element 0: expected ',' or '\]' after element 0, found '\}' \(byte 2\)$/, 0],
  ])('rejects %p naming the element and byte', (text, message, element) => {
    let error: unknown;
    try {
      parse(text, [3]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonScanError);
    expect((error as Error).message).toMatch(message);
    expect((error as JsonScanError).record?.index).toBe(element);
  });

  it('names the broken record when the records of one chunk are parsed together, after handing out those before it', () => {
    const seen: unknown[] = [];
    const scanner = JsonRecordScanner.forArray((v) => seen.push(v));
    expect(() => scanner.feed(Buffer.from('[1, {"a": 2}, {"a": tru}, 4]'))).toThrow(/^in element 2: .*JSON.* \(byte 24\)$/);
    expect(seen).toEqual([1, { a: 2 }]);
  });

  it('rejects an object at the top level, naming its type', () => {
    expect(() => parse('{"images": []}', [3])).toThrow(TopLevelTypeError);
    expect(() => parse('{"images": []}', [3])).toThrow('top level must be an array (got object)');
  });
});
