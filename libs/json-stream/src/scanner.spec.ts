import fc from 'fast-check';
import { JsonRecordScanner, JsonScanError, SectionTypeError, TopLevelTypeError } from './index';

const SECTIONS = ['images', 'annotations', 'categories'];

/** Feeds `text` in the given chunk sizes and records what the scanner reports. */
function scan(text: string, chunkSizes: number[], keep: (key: string) => boolean): unknown[] {
  const events: unknown[] = [];
  const scanner = new JsonRecordScanner({
    isSection: (k) => SECTIONS.includes(k),
    onSectionStart: (k) => events.push(['start', k]),
    onRecord: (k, r, i) => events.push(['record', k, i, r]),
    keepOther: keep,
    onOther: (k, v) => events.push(['other', k, v]),
  });
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  for (let c = 0; at < bytes.length; c++) {
    const size = Math.max(1, chunkSizes[c % chunkSizes.length] ?? bytes.length);
    scanner.feed(bytes.subarray(at, at + size));
    at += size;
  }
  scanner.end();
  return events;
}

/** The same events computed independently from JSON.parse. */
function expected(doc: Record<string, unknown>, keep: (key: string) => boolean): unknown[] {
  const events: unknown[] = [];
  for (const [k, v] of Object.entries(doc)) {
    if (SECTIONS.includes(k)) {
      events.push(['start', k]);
      (v as unknown[]).forEach((r, i) => events.push(['record', k, i, r]));
    } else if (keep(k)) events.push(['other', k, v]);
  }
  return events;
}

// Strings that stress the scanner: quotes, backslashes, brackets, multi-byte UTF-8.
const trickyString = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '\\"', '{[}]', 'é€😀', ',:', '\\\\"}'));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    trickyString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('v'), { maxKeys: 4 }),
  ),
})).v;
const doc = fc.record(
  {
    images: fc.array(value, { maxLength: 5 }),
    annotations: fc.array(value, { maxLength: 5 }),
    categories: fc.array(value, { maxLength: 3 }),
    info: value,
    licenses: value,
    other: value,
  },
  { requiredKeys: ['images'] },
);

describe('JsonRecordScanner on an object of sections', () => {
  it('reports exactly the records and kept values JSON.parse finds, for any chunking and layout', () => {
    const keep = (k: string) => k === 'info' || k === 'licenses';
    fc.assert(
      fc.property(doc, fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), fc.constantFrom(0, 1, '\t'), (d, chunks, indent) => {
        const text = JSON.stringify(d, null, indent);
        expect(scan(text, chunks, keep)).toEqual(expected(JSON.parse(text), keep));
      }),
      { numRuns: 300 },
    );
  });

  it('skips a UTF-8 byte-order mark', () => {
    const events = scan('\ufeff{"images": [1]}', [2], () => false);
    expect(events).toEqual([['start', 'images'], ['record', 'images', 0, 1]]);
  });

  it.each([
    ['{"images": [1,]}', /in images\[1\]/],
    ['{"images": [1 2]}', /expected ',' or '\]' after images\[0\], found '2'/],
    ['{"images" [1]}', /expected ':' after key "images", found '\['/],
    ['{"images": [1]', /unexpected end of file \(byte 14\)/],
    ['{"images": [1]} x', /unexpected 'x' after the end of the document/],
    ['{images: []}', /expected a key string, found 'i'/],
    ['{"images": [{"a": tru}]}', /in images\[0\]: /],
  ])('rejects %s with a located one-line message', (text, message) => {
    expect(() => scan(text, [3], () => true)).toThrow(JsonScanError);
    expect(() => scan(text, [3], () => true)).toThrow(message);
  });

  it('names the type of a section that is not an array, and of a top level that is not an object', () => {
    expect(() => scan('{"annotations": {"a": 1}}', [100], () => true)).toThrow(SectionTypeError);
    expect(() => scan('{"annotations": "x"}', [100], () => true)).toThrow('annotations must be an array (got string)');
    expect(() => scan('[1, 2]', [100], () => true)).toThrow(TopLevelTypeError);
  });
});
