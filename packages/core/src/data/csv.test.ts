import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with delimiters, newlines and doubled quotes, CRLF line ends and a BOM', () => {
    const text = '\ufeffname,note,value\r\n"Smith, J.","said ""hi""\nthen left",3\r\nplain,,NA\r\n\r\n';
    expect(parseCsv(text, 'x.csv')).toEqual({
      header: ['name', 'note', 'value'],
      rows: [
        ['Smith, J.', 'said "hi"\nthen left', '3'],
        ['plain', '', 'NA'],
      ],
    });
  });

  it('reads a last line without a newline and another delimiter', () => {
    expect(parseCsv('a;b\n1;2', 'x.csv', ';').rows).toEqual([['1', '2']]);
  });

  it('names the line of a row with the wrong number of fields', () => {
    expect(() => parseCsv('a,b\n1,2\n3,4,5\n', 'pets.csv')).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_DATA_INVALID: pets.csv: line 3 has 3 fields but the header has 2. Quote fields that contain commas, or set \`delimiter\` if the file uses another separator.]`,
    );
  });

  it('rejects an empty file, an unclosed quote and duplicate column names', () => {
    expect(() => parseCsv('', 'e.csv')).toThrowError(/GRAFT_DATA_INVALID: e.csv is empty/);
    expect(() => parseCsv('a,b\n"1,2\n', 'q.csv')).toThrowError(/quoted field opened on line 2 is never closed/);
    expect(() => parseCsv('a,a\n1,2\n', 'd.csv')).toThrowError(/names column "a" twice/);
  });
});
