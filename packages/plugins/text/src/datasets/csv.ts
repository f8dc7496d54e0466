import { z } from 'zod';
import { GraftError } from '@graft/core';
import { parseCsv, type DatasetContext, type DatasetProvider } from '@graft/core';
import type { HubAccess } from '../hf/hub.js';
import { textFileOptionsShape } from './common-options.js';
import { labelOf, readDataFile } from './jsonl.js';
import { labelFields, loadTextFiles, type FileRow } from './text-files.js';

export const csvOptions = z
  .object({
    ...textFileOptionsShape,
    /** Field separator. @default ',' */
    delimiter: z.string().length(1).default(',').describe('Field separator.'),
  })
  .strict();
export type CsvOptions = z.infer<typeof csvOptions>;

/** The rows of a CSV text with a header line. */
export function rowsOf(text: string, o: CsvOptions, file: string): FileRow[] {
  const { header, rows: records } = parseCsv(text, file, o.delimiter);
  const textCol = header.indexOf(o.textField);
  const labelCols = labelFields(o).map((f) => [f, header.indexOf(f)] as const);
  const splitCol = header.indexOf(o.splitField);
  const absent = typeof o.labelField === 'string' ? [] : labelCols.filter(([, c]) => c < 0).map(([f]) => f);
  if (absent.length > 0) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: `The CSV header has no column ${absent.map((f) => `"${f}"`).join(', ')} (named in labelField)`, where: file, choices: header });
  }
  if (textCol < 0) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `The CSV header has no column "${o.textField}"`,
      where: file,
      fix: 'Set `textField` to the column that holds the text.',
      choices: header,
    });
  }
  return records
    .filter((r) => !(r.length === 1 && r[0] === ''))
    .map((r, i) => {
      if (r.length !== header.length) {
        throw new GraftError('GRAFT_DATA_INVALID', {
          what: `Record ${i + 1} has ${r.length} fields but the header has ${header.length}`,
          where: file,
        });
      }
      const where = `${file}, record ${i + 1}`;
      const labels = Object.fromEntries(labelCols.map(([f, c]) => [f, c < 0 ? undefined : labelOf(r[c], where)]));
      return { text: r[textCol]!, labels, split: splitCol < 0 || r[splitCol] === '' ? undefined : r[splitCol], where };
    });
}

/** `text/csv`: a CSV file with a header row, a text column and a label column; hub tokenizers through `hub`. */
export function csvDatasetWith(hub: HubAccess): DatasetProvider<CsvOptions> {
  return {
    name: 'text/csv',
    description: 'Texts and labels from CSV files (header row), tokenized with a BERT tokenizer',
    options: csvOptions,
    async load(o: CsvOptions, ctx: DatasetContext) {
      return loadTextFiles(o, ctx, hub, async (path, key) => rowsOf(await readDataFile(path, ctx, key), o, path));
    },
  };
}
