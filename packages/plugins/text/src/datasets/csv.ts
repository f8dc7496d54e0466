import { z } from 'zod';
import { GraftError } from '@graft/core';
import { parseCsv, type DatasetContext, type DatasetProvider } from '@graft/core';
import { textFileOptionsShape } from './common-options.js';
import { labelOf, readDataFile } from './jsonl.js';
import { buildTextDataset, type TextRow, type TextSplits } from './text-dataset.js';

export const csvOptions = z
  .object({
    ...textFileOptionsShape,
    /** Field separator. @default ',' */
    delimiter: z.string().length(1).default(','),
  })
  .strict();
export type CsvOptions = z.infer<typeof csvOptions>;

function rowsOf(text: string, o: CsvOptions, file: string): TextRow[] {
  const { header, rows: records } = parseCsv(text, file, o.delimiter);
  const textCol = header.indexOf(o.textField);
  const labelCol = header.indexOf(o.labelField);
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
      return { text: r[textCol]!, label: labelCol < 0 ? undefined : labelOf(r[labelCol], `${file}, record ${i + 1}`) };
    });
}

/** `text/csv`: a CSV file with a header row, a text column and a label column. */
export const csvDataset: DatasetProvider<CsvOptions> = {
  name: 'text/csv',
  description: 'Texts and labels from CSV files (header row), tokenized with a BERT tokenizer',
  options: csvOptions,
  async load(o: CsvOptions, ctx: DatasetContext) {
    const read = async (path: string, key: string) => rowsOf(await readDataFile(path, ctx, key), o, path);
    const splits: TextSplits = { train: await read(o.path, 'path') };
    if (o.validationPath) splits.validation = await read(o.validationPath, 'validation');
    if (o.testPath) splits.test = await read(o.testPath, 'test');
    return buildTextDataset(splits, { tokenizer: o.tokenizer, sourceTokenizer: ctx.sourceTokenizer, configDir: ctx.configDir, maxLength: o.maxLength, classes: o.classes, where: ctx.where });
  },
};
