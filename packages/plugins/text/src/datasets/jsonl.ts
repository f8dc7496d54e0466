import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { GraftError } from '@graft/core';
import type { DatasetContext, DatasetProvider } from '@graft/core';
import { textFileOptionsShape } from './common-options.js';
import { buildTextDataset, type TextRow, type TextSplits } from './text-dataset.js';

export const jsonlOptions = z.object(textFileOptionsShape).strict();
export type JsonlOptions = z.infer<typeof jsonlOptions>;

/** Read a file the dataset names, with an error that says which option named it. */
export async function readDataFile(path: string, ctx: DatasetContext, key: string): Promise<string> {
  const full = resolve(ctx.configDir, path);
  if (!existsSync(full)) {
    throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `The file "${full}" does not exist`, where: `${ctx.where}.${key}` });
  }
  return readFile(full, 'utf8');
}

/** Labels may be strings, numbers or booleans in the file; Graft's classes are their string forms. */
export function labelOf(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new GraftError('GRAFT_DATA_INVALID', { what: `A label must be a string, number or boolean, got ${JSON.stringify(value)}`, where });
}

function parseJsonl(text: string, o: JsonlOptions, file: string): TextRow[] {
  const rows: TextRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `Line ${i + 1} is not valid JSON`, where, cause });
    }
    const record = value as Record<string, unknown>;
    if (typeof record !== 'object' || record === null || typeof record[o.textField] !== 'string') {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Line ${i + 1} has no string field "${o.textField}"`,
        where,
        fix: 'Set `textField` to the field that holds the text.',
        choices: typeof record === 'object' && record !== null ? Object.keys(record) : [],
      });
    }
    rows.push({ text: record[o.textField] as string, label: labelOf(record[o.labelField], where) });
  });
  return rows;
}

/** `text/jsonl`: one JSON object per line with a text field and a label field. */
export const jsonlDataset: DatasetProvider<JsonlOptions> = {
  name: 'text/jsonl',
  description: 'Texts and labels from JSON Lines files, tokenized with a BERT tokenizer',
  options: jsonlOptions,
  async load(o: JsonlOptions, ctx: DatasetContext) {
    const read = async (path: string, key: string) => parseJsonl(await readDataFile(path, ctx, key), o, path);
    const splits: TextSplits = { train: await read(o.path, 'path') };
    if (o.validationPath) splits.validation = await read(o.validationPath, 'validation');
    if (o.testPath) splits.test = await read(o.testPath, 'test');
    return buildTextDataset(splits, { tokenizer: o.tokenizer, sourceTokenizer: ctx.sourceTokenizer, configDir: ctx.configDir, maxLength: o.maxLength, classes: o.classes, where: ctx.where });
  },
};
