import { z } from 'zod';
import { GraftError } from '@graft/core';
import type { DatasetContext, DatasetProvider } from '@graft/core';
import type { HubAccess } from '../hf/hub.js';
import { textFileOptionsShape } from './common-options.js';
import { labelFields, loadTextFiles, type FileRow } from './text-files.js';

export const jsonlOptions = z.object(textFileOptionsShape).strict();
export type JsonlOptions = z.infer<typeof jsonlOptions>;

/** The largest text data file read: a JavaScript string holds at most about 512 Mi characters. */
export const MAX_DATA_FILE_BYTES = 512 * 1024 * 1024;

/** Read a file the dataset names, with an error that says which option named it; a leading BOM is dropped. */
export async function readDataFile(path: string, ctx: DatasetContext, key: string): Promise<string> {
  const files = ctx.env.files;
  const full = files.resolve(ctx.configDir, path);
  const info = await files.stat(full);
  if (!info) throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `The file "${full}" does not exist`, where: `${ctx.where}.${key}` });
  if (info.kind !== 'file') throw new GraftError('GRAFT_DATA_INVALID', { what: `"${full}" is not a file`, where: `${ctx.where}.${key}`, fix: 'Name a JSON Lines or CSV file' });
  if (info.size > MAX_DATA_FILE_BYTES) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: `"${full}" has ${info.size} bytes, more than the ${MAX_DATA_FILE_BYTES}-byte cap of a text data file`, where: `${ctx.where}.${key}`, fix: 'Split the file, or sample it' });
  }
  const bytes = await files.read(full, { maxBytes: MAX_DATA_FILE_BYTES });
  if (!bytes) throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `The file "${full}" does not exist`, where: `${ctx.where}.${key}` });
  return stripBom(new TextDecoder().decode(bytes));
}

/** Text without a leading UTF-8 byte-order mark (which editors on Windows write). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Labels may be strings, numbers or booleans in the file; Graft's classes are their string forms. */
export function labelOf(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new GraftError('GRAFT_DATA_INVALID', { what: `A label must be a string, number or boolean, got ${JSON.stringify(value)}`, where });
}

/** The rows of a JSON Lines text: one object per non-blank line. */
export function parseJsonl(text: string, o: JsonlOptions, file: string): FileRow[] {
  const rows: FileRow[] = [];
  stripBom(text)
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${file}:${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (cause) {
        throw new GraftError('GRAFT_DATA_INVALID', { what: `Line ${i + 1} is not valid JSON`, where, cause });
      }
      const record = value as Record<string, unknown>;
      if (typeof record !== 'object' || record === null || Array.isArray(record) || typeof record[o.textField] !== 'string') {
        throw new GraftError('GRAFT_DATA_INVALID', {
          what: `Line ${i + 1} has no string field "${o.textField}"`,
          where,
          fix: 'Set `textField` to the field that holds the text.',
          choices: typeof record === 'object' && record !== null ? Object.keys(record) : [],
        });
      }
      const split = record[o.splitField];
      if (split !== undefined && split !== null && typeof split !== 'string') {
        throw new GraftError('GRAFT_DATA_INVALID', { what: `Line ${i + 1}: "${o.splitField}" must be a string (train, validation, test), got ${JSON.stringify(split)}`, where });
      }
      const labels = Object.fromEntries(labelFields(o).map((f) => [f, labelOf(record[f], where)]));
      rows.push({ text: record[o.textField] as string, labels, split: typeof split === 'string' && split !== '' ? split : undefined, where });
    });
  return rows;
}

/** `text/jsonl`: one JSON object per line with a text field and one or more label fields; hub tokenizers through `hub`. */
export function jsonlDatasetWith(hub: HubAccess): DatasetProvider<JsonlOptions> {
  return {
    name: 'text/jsonl',
    description: 'Texts and labels from JSON Lines files, tokenized with a BERT tokenizer',
    options: jsonlOptions,
    async load(o: JsonlOptions, ctx: DatasetContext) {
      return loadTextFiles(o, ctx, hub, async (path, key) => parseJsonl(await readDataFile(path, ctx, key), o, path));
    },
  };
}
