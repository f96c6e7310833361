import { CsvSyntaxError, parseCsv } from './csv';

describe('parseCsv', () => {
  it('splits rows and fields, with quoted fields, doubled quotes, CRLF and blank lines', () => {
    const rows = parseCsv('a,b,c\r\n"x, y","say ""hi""",\n\n"multi\nline",2,3');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', ''] },
      { line: 4, fields: ['multi\nline', '2', '3'] },
    ]);
  });

  it('reports an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\n"open,1')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n"open,1')).toThrow('line 2: unterminated quoted field');
  });
});
