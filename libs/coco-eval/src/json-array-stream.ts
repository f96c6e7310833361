const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const BOM = [0xef, 0xbb, 0xbf];

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const char = (b: number): string => JSON.stringify(String.fromCharCode(b));

/** Why a stream is not a JSON array; `element` is the 0-based index of the element concerned. */
export class JsonArrayStreamError extends Error {
  constructor(
    readonly element: number | undefined,
    readonly detail: string,
  ) {
    super(element === undefined ? detail : `element ${element}: ${detail}`);
    this.name = 'JsonArrayStreamError';
  }
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(bytes[i])) return false;
  return true;
}

/**
 * Splits a byte stream holding one top-level JSON array into its elements and parses each with
 * `JSON.parse`, without ever holding the whole text: only the current chunk and an element that
 * straddles two chunks are kept. The elements complete in a chunk are parsed with one `JSON.parse`.
 */
export class JsonArrayStream {
  private started = false;
  private finished = false;
  private depth = 0; // 0: directly inside the top-level array
  private inString = false;
  private escaped = false;
  private carry: Buffer[] = []; // start of an element that began in an earlier chunk
  private count = 0;

  /** @param onElement receives each element, in order, with its 0-based index. */
  constructor(private readonly onElement: (value: unknown, index: number) => void) {}

  /** Feeds the next chunk of the stream. */
  write(chunk: Buffer): void {
    let i = this.started ? 0 : this.skipOpening(chunk);
    const ranges: number[] = []; // [start, end) pairs of elements complete in this chunk
    let elementStart = i;
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.finished) {
        if (!isSpace(b)) throw new JsonArrayStreamError(undefined, `unexpected ${char(b)} after the end of the array`);
      } else if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
      } else if (b === QUOTE) {
        this.inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        this.depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (this.depth-- > 0) continue;
        if (b === CLOSE_BRACE) throw new JsonArrayStreamError(this.count + ranges.length / 2, `unexpected ${char(b)}`);
        this.endElement(chunk, elementStart, i, true, ranges);
        this.finished = true;
      } else if (b === COMMA && this.depth === 0) {
        this.endElement(chunk, elementStart, i, false, ranges);
        elementStart = i + 1;
      }
    }
    this.emitRanges(chunk, ranges);
    if (this.started && !this.finished) this.carry.push(chunk.subarray(elementStart));
  }

  /** Ends the stream; returns the number of elements. */
  end(): number {
    if (!this.started) throw new JsonArrayStreamError(undefined, 'the file is empty (expected a JSON array)');
    if (!this.finished) throw new JsonArrayStreamError(this.count, 'unexpected end of file inside the array');
    return this.count;
  }

  /** Skips a BOM and whitespace up to `[`; returns the index after it (or the chunk length). */
  private skipOpening(chunk: Buffer): number {
    let i = BOM.every((b, j) => chunk[j] === b) ? BOM.length : 0;
    while (i < chunk.length && isSpace(chunk[i])) i++;
    if (i === chunk.length) return i;
    if (chunk[i] !== OPEN_BRACKET) {
      const found = chunk[i] === OPEN_BRACE ? 'an object' : char(chunk[i]);
      throw new JsonArrayStreamError(undefined, `expected a JSON array, found ${found} at the start`);
    }
    this.started = true;
    return i + 1;
  }

  private endElement(chunk: Buffer, start: number, end: number, last: boolean, ranges: number[]): void {
    if (this.carry.length === 0) {
      if (!(last && this.count === 0 && ranges.length === 0 && isBlank(chunk, start, end))) ranges.push(start, end);
      return;
    }
    const bytes = Buffer.concat([...this.carry, chunk.subarray(start, end)]);
    this.carry = [];
    if (last && this.count === 0 && isBlank(bytes, 0, bytes.length)) return;
    this.onElement(this.parseElement(bytes, 0, bytes.length, this.count), this.count++);
  }

  private emitRanges(chunk: Buffer, ranges: number[]): void {
    const n = ranges.length / 2;
    if (n === 0) return;
    let values: unknown;
    try {
      values = JSON.parse(`[${chunk.toString('utf8', ranges[0], ranges[ranges.length - 1])}]`);
    } catch {
      values = undefined;
    }
    if (!Array.isArray(values) || values.length !== n) {
      values = Array.from({ length: n }, (_, j) => this.parseElement(chunk, ranges[2 * j], ranges[2 * j + 1], this.count + j));
    }
    for (const v of values as unknown[]) this.onElement(v, this.count++);
  }

  private parseElement(bytes: Buffer, start: number, end: number, index: number): unknown {
    if (isBlank(bytes, start, end)) throw new JsonArrayStreamError(index, 'missing value (empty element or trailing comma)');
    try {
      return JSON.parse(bytes.toString('utf8', start, end));
    } catch (e) {
      throw new JsonArrayStreamError(index, `invalid JSON (${(e as Error).message})`);
    }
  }
}
