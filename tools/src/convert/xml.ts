/**
 * A minimal XML reader for annotation files such as Pascal VOC's: elements, attributes, text, the
 * five predefined entities and character references. DOCTYPE declarations (and so custom entities
 * or external references) are refused: nothing in an input file is expanded or fetched.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element (entities decoded, not trimmed). */
  text: string;
}

/** A syntax problem, with the 1-based line where it was found. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][\w.:-]*/y;

export function parseXml(text: string): XmlElement {
  const p = new XmlParser(text);
  p.skipProlog();
  const root = p.element();
  p.skipMisc();
  if (!p.atEnd()) p.fail('unexpected content after the root element');
  return root;
}

class XmlParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  fail(problem: string): never {
    throw new XmlSyntaxError(this.s.slice(0, this.i).split('\n').length, problem);
  }

  skipProlog(): void {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.skipMisc();
  }

  /** Skips whitespace, comments and processing instructions; refuses DOCTYPE. */
  skipMisc(): void {
    for (;;) {
      while (/\s/.test(this.s[this.i] ?? '')) this.i++;
      if (this.s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (this.s.startsWith('<?', this.i)) this.skipPast('?>');
      else if (this.s.startsWith('<!DOCTYPE', this.i)) this.fail('DOCTYPE declarations are not supported');
      else return;
    }
  }

  element(): XmlElement {
    if (this.s[this.i] !== '<') this.fail(`expected '<', found ${JSON.stringify(this.s.slice(this.i, this.i + 10))}`);
    this.i++;
    const el: XmlElement = { name: this.name(), attributes: {}, children: [], text: '' };
    this.attributes(el);
    if (this.s.startsWith('/>', this.i)) {
      this.i += 2;
      return el;
    }
    this.expect('>');
    this.content(el);
    return el;
  }

  private content(el: XmlElement): void {
    for (;;) {
      const lt = this.s.indexOf('<', this.i);
      if (lt < 0) this.fail(`element <${el.name}> is not closed`);
      el.text += decodeEntities(this.s.slice(this.i, lt), this);
      this.i = lt;
      if (this.s.startsWith('</', this.i)) {
        this.i += 2;
        const name = this.name();
        if (name !== el.name) this.fail(`closing tag </${name}> does not match <${el.name}>`);
        this.skipSpace();
        this.expect('>');
        return;
      }
      if (this.s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (this.s.startsWith('<![CDATA[', this.i)) el.text += this.cdata();
      else if (this.s.startsWith('<?', this.i)) this.skipPast('?>');
      else if (this.s.startsWith('<!', this.i)) this.fail('declarations are not supported inside elements');
      else el.children.push(this.element());
    }
  }

  private attributes(el: XmlElement): void {
    for (;;) {
      this.skipSpace();
      const c = this.s[this.i];
      if (c === '>' || c === '/' || c === undefined) return;
      const name = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const quote = this.s[this.i];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${name} must be quoted`);
      const end = this.s.indexOf(quote, this.i + 1);
      if (end < 0) this.fail(`attribute ${name} is not closed`);
      el.attributes[name] = decodeEntities(this.s.slice(this.i + 1, end), this);
      this.i = end + 1;
    }
  }

  private cdata(): string {
    const start = this.i + 9;
    this.skipPast(']]>');
    return this.s.slice(start, this.i - 3);
  }

  private name(): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.s);
    if (!m) this.fail(`expected a name, found ${JSON.stringify(this.s.slice(this.i, this.i + 10))}`);
    this.i += m[0].length;
    return m[0];
  }

  private skipSpace(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private expect(text: string): void {
    if (!this.s.startsWith(text, this.i)) this.fail(`expected '${text}'`);
    this.i += text.length;
  }

  private skipPast(end: string): void {
    const at = this.s.indexOf(end, this.i);
    if (at < 0) this.fail(`missing '${end}'`);
    this.i = at + end.length;
  }
}

function decodeEntities(text: string, p: XmlParser): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) p.fail(`bad entity ${whole}`);
    if (body.startsWith('#')) {
      const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff)) p.fail(`bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const value = ENTITIES[body];
    if (value === undefined) p.fail(`unknown entity &${body};`);
    return value;
  });
}

/** The first child element called `name`, if any. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
