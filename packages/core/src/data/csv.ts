import { GraftError } from '../errors.js';

/** A parsed CSV file: the header and the rows, every row as long as the header. */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

/**
 * RFC 4180 CSV: quoted fields may hold the delimiter, newlines and doubled quotes; LF or CRLF line ends;
 * a UTF-8 byte-order mark and blank lines are ignored. `file` names the source in errors.
 */
export function parseCsv(text: string, file: string, delimiter = ','): CsvTable {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRecord = (): void => {
    fields.push(field);
    // A line with nothing on it is not a record.
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };

  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: `${file}: a quoted field opened on line ${recordLine} is never closed`, fix: 'Close the quote, or double quotes inside a quoted field ("").' });
  }
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();

  const [first, ...rest] = records;
  if (!first) throw new GraftError('GRAFT_DATA_INVALID', { what: `${file} is empty`, fix: 'Give a CSV file with a header line and at least one row.' });
  const header = first.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') throw new GraftError('GRAFT_DATA_INVALID', { what: `${file}: the header has an empty column name`, fix: 'Name every column in the first line.' });
    if (seen.has(name)) throw new GraftError('GRAFT_DATA_INVALID', { what: `${file}: the header names column "${name}" twice`, fix: 'Give every column a distinct name.' });
    seen.add(name);
  }
  for (const r of rest) {
    if (r.fields.length !== header.length) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `${file}: line ${r.line} has ${r.fields.length} fields but the header has ${header.length}`,
        fix: delimiter === ',' ? 'Quote fields that contain commas, or set `delimiter` if the file uses another separator.' : 'Quote fields that contain the delimiter.',
      });
    }
  }
  return { header, rows: rest.map((r) => r.fields) };
}
