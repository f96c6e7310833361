/**
 * A streaming reader for JSON documents made of records: an object `{ "key": value, ... }` whose large
 * values are arrays of records (COCO's images / annotations / categories), or one top-level array of
 * records (a COCO results file). It scans bytes, cuts each record out and hands it to `JSON.parse`,
 * so memory holds one chunk and one record's text at a time and V8's string limit never applies to
 * the file. The records that lie whole in one chunk are parsed with one `JSON.parse` call (a record
 * that breaks it is then found by parsing them one by one).
 * (stream-json tokenizes every value in JavaScript; on a 42 MB COCO file this was ~8x slower.)
 *
 * UTF-8 is safe to scan byte-wise: every byte of a multi-byte character is ≥ 0x80, so none of them
 * can be mistaken for a quote, backslash or bracket.
 */

/** What an object document's reader wants: which keys hold records, and what to do with the rest. */
export interface SectionHandlers {
  /** Keys whose value must be an array whose elements are handed to `onRecord` one by one. */
  isSection(key: string): boolean;
  onSectionStart(key: string): void;
  onRecord(key: string, record: unknown, index: number): void;
  /** Which other top-level values to parse and hand to `onOther` (the rest are skipped unparsed). */
  keepOther(key: string): boolean;
  onOther(key: string, value: unknown): void;
}

/** Where a record error happened: the section's key ('' in an array document) and the record's index. */
export interface RecordPlace {
  readonly key: string;
  readonly index: number;
}

/** A syntax problem in the document: what (`detail`), the byte offset, and the record if inside one. */
export class JsonScanError extends Error {
  constructor(
    readonly detail: string,
    readonly byte: number,
    readonly record?: RecordPlace,
  ) {
    super(`${record ? `in ${placeText(record)}: ` : ''}${detail} (byte ${byte})`);
    this.name = 'JsonScanError';
  }
}

/** The document's top level is not what the reader expects; `type` is what it is instead. */
export class TopLevelTypeError extends Error {
  constructor(
    readonly type: string,
    readonly expected: 'object' | 'array',
  ) {
    super(`top level must be ${expected === 'object' ? 'an object' : 'an array'} (got ${type})`);
    this.name = 'TopLevelTypeError';
  }
}

/** A section key whose value is not an array; `type` is what it is instead. */
export class SectionTypeError extends Error {
  constructor(
    readonly key: string,
    readonly type: string,
  ) {
    super(`${key} must be an array (got ${type})`);
    this.name = 'SectionTypeError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
/** UTF-8 byte-order mark, skipped at the start of a file (as the in-memory readers do). */
const BOM = [0xef, 0xbb, 0xbf];

/** Skeleton states: where we are in `{ key: value, ... }` or `[ ... ]`, and inside a section array. */
const enum S {
  Start,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  AfterValue,
  ElementOrEnd,
  Element,
  AfterElement,
  Done,
}

/** What a value being cut out is for. */
const enum Target {
  Key,
  Record,
  Other,
  Skip,
}

/** An array document: its elements are the records of one section named ''. */
const ARRAY_SECTION = '';

/**
 * Feed it a document chunk by chunk (`feed`), then `end()`; it calls the handlers as records complete.
 * `new JsonRecordScanner(handlers)` reads an object document of sections; `JsonRecordScanner.forArray`
 * a top-level array.
 * @throws JsonScanError, TopLevelTypeError, SectionTypeError (from `feed` and `end`)
 */
export class JsonRecordScanner {
  private state = S.Start;
  private key = '';
  private index = 0;
  private offset = 0;
  // The value being cut out (when `capturing`).
  private capturing = false;
  private target = Target.Skip;
  private depth = 0;
  private inString = false;
  private escape = false;
  private primitive = false;
  /** Text of the value cut out so far (earlier chunks), and where it starts in the current chunk. */
  private parts: Buffer[] = [];
  private captureFrom = 0;
  /** The chunk being scanned, and [start, end) pairs of the records complete in it, not yet parsed. */
  private buf: Buffer = Buffer.alloc(0);
  private pending: number[] = [];
  private pendingFirst = 0;

  constructor(
    private readonly h: SectionHandlers,
    private readonly topLevel: 'object' | 'array' = 'object',
  ) {}

  /** A reader of one top-level array; `onRecord` receives each element and its 0-based index. */
  static forArray(onRecord: (record: unknown, index: number) => void): JsonRecordScanner {
    const none = (): void => undefined;
    return new JsonRecordScanner({ isSection: () => false, onSectionStart: none, onRecord: (_, r, i) => onRecord(r, i), keepOther: () => false, onOther: none }, 'array');
  }

  /** Records handed out so far in the current (or last) section. */
  get records(): number {
    return this.index;
  }

  /** Feeds the next chunk of the file. */
  feed(buf: Buffer): void {
    this.buf = buf;
    let i = 0;
    while (i < buf.length) {
      i = this.capturing ? this.capture(buf, i) : this.step(buf, i);
    }
    this.flush();
    if (this.capturing && this.target !== Target.Skip) this.parts.push(buf.subarray(this.captureFrom));
    this.captureFrom = 0;
    this.offset += buf.length;
  }

  /** Signals the end of the file; throws when the document is incomplete. */
  end(): void {
    if (this.state === S.Start) this.fail('the document is empty', this.offset);
    if (this.state !== S.Done || this.capturing) this.fail('unexpected end of file', this.offset, this.inRecord());
  }

  /** One skeleton byte at `i`; returns the next index. */
  private step(buf: Buffer, i: number): number {
    const c = buf[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return i + 1;
    switch (this.state) {
      case S.Start:
        if (this.offset + i < 3 && c === BOM[this.offset + i]) return i + 1;
        return this.open(i, c);
      case S.KeyOrEnd:
        return c === RBRACE ? this.done(i) : this.beginCapture(buf, i, Target.Key);
      case S.Key:
        return this.beginCapture(buf, i, Target.Key);
      case S.Colon:
        if (c !== COLON) this.fail(`expected ':' after key "${this.key}", found ${show(c)}`, this.offset + i);
        this.state = S.Value;
        return i + 1;
      case S.Value:
        return this.onValue(buf, i, c);
      case S.AfterValue:
        if (c === RBRACE) return this.done(i);
        if (c !== COMMA) this.fail(`expected ',' or '}' after the value of "${this.key}", found ${show(c)}`, this.offset + i);
        this.state = S.Key;
        return i + 1;
      case S.ElementOrEnd:
        return c === RBRACKET ? this.endSection(i) : this.beginCapture(buf, i, Target.Record);
      case S.Element:
        return this.beginCapture(buf, i, Target.Record);
      case S.AfterElement: {
        if (c === RBRACKET) return this.endSection(i);
        const last = { key: this.key, index: this.index - 1 };
        if (c !== COMMA) this.fail(`expected ',' or ']' after ${placeText(last)}, found ${show(c)}`, this.offset + i, last);
        this.state = S.Element;
        return i + 1;
      }
      default:
        return this.fail(`unexpected ${show(c)} after the end of the document`, this.offset + i);
    }
  }

  /** The document's first byte: `{` or, for an array document, `[`. */
  private open(i: number, c: number): number {
    if (this.topLevel === 'array') {
      if (c !== LBRACKET) throw new TopLevelTypeError(describeStart(c), 'array');
      this.key = ARRAY_SECTION;
      this.index = 0;
      this.state = S.ElementOrEnd;
      return i + 1;
    }
    if (c !== LBRACE) throw new TopLevelTypeError(describeStart(c), 'object');
    this.state = S.KeyOrEnd;
    return i + 1;
  }

  private onValue(buf: Buffer, i: number, c: number): number {
    if (this.h.isSection(this.key)) {
      if (c !== LBRACKET) throw new SectionTypeError(this.key, describeStart(c));
      this.h.onSectionStart(this.key);
      this.index = 0;
      this.state = S.ElementOrEnd;
      return i + 1;
    }
    return this.beginCapture(buf, i, this.h.keepOther(this.key) ? Target.Other : Target.Skip);
  }

  private endSection(i: number): number {
    this.flush();
    this.state = this.topLevel === 'array' ? S.Done : S.AfterValue;
    return i + 1;
  }

  private done(i: number): number {
    this.state = S.Done;
    return i + 1;
  }

  private beginCapture(buf: Buffer, i: number, target: Target): number {
    const c = buf[i];
    if (target === Target.Key && c !== QUOTE) this.fail(`expected a key string, found ${show(c)}`, this.offset + i);
    if (c === COMMA || c === RBRACKET || c === RBRACE) {
      this.target = target;
      this.fail(`missing value (an empty element or a trailing comma), found ${show(c)}`, this.offset + i, this.inRecord());
    }
    this.capturing = true;
    this.target = target;
    this.parts = [];
    this.captureFrom = i;
    this.depth = c === LBRACE || c === LBRACKET ? 1 : 0;
    this.inString = c === QUOTE;
    this.escape = false;
    this.primitive = this.depth === 0 && !this.inString;
    return this.primitive ? i : i + 1;
  }

  /** Scans the value being cut out from `i`; returns where scanning stopped. */
  private capture(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.primitive) {
      for (; i < n; i++) {
        const c = buf[i];
        if (c === COMMA || c === RBRACE || c === RBRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          return this.finishCapture(buf, i);
        }
      }
      return n;
    }
    let { depth, inString, escape } = this;
    for (; i < n; i++) {
      const c = buf[i];
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0) return this.finishCapture(buf, i + 1);
        }
      } else if (c === QUOTE) inString = true;
      else if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) return this.finishCapture(buf, i + 1);
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escape = escape;
    return n;
  }

  /** The value ends before `end` in `buf`: parse it (unless skipped) and move the skeleton on. */
  private finishCapture(buf: Buffer, end: number): number {
    this.capturing = false;
    if (this.target === Target.Skip) {
      this.state = S.AfterValue;
      return end;
    }
    if (this.target === Target.Record && this.parts.length === 0) {
      // whole in this chunk: parsed with its neighbours at the next flush
      if (this.pending.length === 0) this.pendingFirst = this.index;
      this.pending.push(this.captureFrom, end);
      this.index++;
      this.state = S.AfterElement;
      return end;
    }
    if (this.target === Target.Record) this.flush();
    this.parts.push(buf.subarray(this.captureFrom, end));
    const text = this.parts.length === 1 ? this.parts[0].toString('utf8') : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    const value = this.parse(text, end);
    if (this.target === Target.Key) {
      this.key = value as string;
      this.state = S.Colon;
    } else if (this.target === Target.Record) {
      this.h.onRecord(this.key, value, this.index++);
      this.state = S.AfterElement;
    } else {
      this.h.onOther(this.key, value);
      this.state = S.AfterValue;
    }
    return end;
  }

  /** Parses the pending records (one `JSON.parse` for all; one by one if that fails) and hands them out in order. */
  private flush(): void {
    const r = this.pending;
    if (r.length === 0) return;
    this.pending = [];
    const n = r.length / 2;
    let values: unknown;
    try {
      values = JSON.parse(`[${this.buf.toString('utf8', r[0], r[r.length - 1])}]`);
    } catch {
      values = undefined;
    }
    if (Array.isArray(values) && values.length === n) {
      values.forEach((v, j) => this.h.onRecord(this.key, v, this.pendingFirst + j));
      return;
    }
    for (let j = 0; j < n; j++) {
      let value: unknown;
      try {
        value = JSON.parse(this.buf.toString('utf8', r[2 * j], r[2 * j + 1]));
      } catch (err) {
        this.fail((err as Error).message, this.offset + r[2 * j + 1], { key: this.key, index: this.pendingFirst + j });
      }
      this.h.onRecord(this.key, value, this.pendingFirst + j);
    }
  }

  private parse(text: string, end: number): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      const where = this.target === Target.Key ? 'in a key: ' : this.target === Target.Other ? `in "${this.key}": ` : '';
      return this.fail(`${where}${(err as Error).message}`, this.offset + end, this.inRecord());
    }
  }

  /** The record being read, if the scanner is inside a section. */
  private inRecord(): RecordPlace | undefined {
    const inSection = this.state === S.ElementOrEnd || this.state === S.Element || this.state === S.AfterElement;
    return inSection && this.target === Target.Record ? { key: this.key, index: this.index } : undefined;
  }

  private fail(detail: string, at: number, record?: RecordPlace): never {
    this.flush(); // records before the problem are handed out (and an earlier broken one reported) first
    throw new JsonScanError(detail, at, record);
  }
}

/** Length of a UTF-8 byte-order mark at the start of `buf` (3 or 0). */
export function byteOrderMarkLength(buf: Uint8Array): number {
  return BOM.every((b, k) => buf[k] === b) ? BOM.length : 0;
}

/** `images[3]`, or `element 3` in an array document. */
function placeText(p: RecordPlace): string {
  return p.key === ARRAY_SECTION ? `element ${p.index}` : `${p.key}[${p.index}]`;
}

/** The JSON type a value starting with byte `c` has. */
function describeStart(c: number): string {
  if (c === LBRACE) return 'object';
  if (c === LBRACKET) return 'array';
  if (c === QUOTE) return 'string';
  if (c === 0x74 || c === 0x66) return 'boolean';
  if (c === 0x6e) return 'null';
  return (c >= 0x30 && c <= 0x39) || c === 0x2d ? 'number' : show(c);
}

function show(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
}
