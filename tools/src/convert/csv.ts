/** Splitting CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, CRLF). */

export interface CsvRow {
  /** 1-based line where the row starts. */
  line: number;
  fields: string[];
}

/** A quote that is never closed; `line` is where the quoted field starts. */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number) {
    super(`line ${line}: unterminated quoted field`);
  }
}

/** Rows of `text`, skipping blank lines. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      const start = line;
      for (i++; ; i++) {
        if (i >= text.length) throw new CsvSyntaxError(start);
        if (text[i] === '"' && text[i + 1] === '"') field += text[i++];
        else if (text[i] === '"') break;
        else {
          if (text[i] === '\n') line++;
          field += text[i];
        }
      }
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      rowLine = ++line;
    } else field += c;
    i++;
  }
  if (field !== '' || fields.length) endRow();
  return rows;
}
