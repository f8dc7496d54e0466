import { z } from 'zod';
import { deriveSeed, GraftError, Rng, stratifiedSplit } from '@graft/core';
import type { Dataset, DatasetContext } from '@graft/core';
import type { HubAccess } from '../hf/hub.js';
import { textFileOptionsShape } from './common-options.js';
import { buildTextDataset, type TextRow, type TextSplits } from './text-dataset.js';

/** The options of a file-based text dataset, parsed. */
export type TextFileOptions = z.infer<z.ZodObject<typeof textFileOptionsShape>>;

/** A row as a file reader returns it: the text, its labels by field, and the split it names, if any. */
export interface FileRow {
  text: string;
  labels: Record<string, string | undefined>;
  split?: string;
  /** `file:line`, for errors. */
  where: string;
}

const SPLIT_NAMES: Record<string, keyof TextSplits> = { train: 'train', validation: 'validation', valid: 'validation', dev: 'validation', test: 'test' };

/** The label fields of the options, as a list. */
export function labelFields(o: TextFileOptions): string[] {
  return typeof o.labelField === 'string' ? [o.labelField] : o.labelField;
}

/**
 * The dataset of a file-based text dataset (`text/jsonl`, `text/csv`): rows of the training file go to the
 * split their `splitField` names; `validationPath` / `testPath` add their rows; without any test rows,
 * `testFraction` of the training rows is carved off as a test split, stratified by the first label field
 * (seeded by the run's seed). Every such decision is a note, printed before training starts.
 */
export async function loadTextFiles(o: TextFileOptions, ctx: DatasetContext, hub: HubAccess, read: (path: string, key: string) => Promise<FileRow[]>): Promise<Dataset> {
  const fields = labelFields(o);
  const multi = typeof o.labelField !== 'string';
  if (!multi && o.classes !== undefined && !Array.isArray(o.classes)) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: '`classes` is an object of lists, but there is a single `labelField`', where: `${ctx.where}.classes`, fix: 'Give `classes` as a list of class names' });
  }
  if (multi && Array.isArray(o.classes)) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: '`classes` is one list, but there are several label fields', where: `${ctx.where}.classes`, fix: `Give a list per field: classes: { ${fields.map((f) => `${f}: [...]`).join(', ')} }` });
  }
  const toRow = (r: FileRow): TextRow => (multi ? { text: r.text, labels: r.labels } : { text: r.text, label: r.labels[fields[0]!] });
  const splits: Required<TextSplits> = { train: [], validation: [], test: [] };
  const notes: string[] = [];
  const trainRows = await read(o.path, 'path');
  let routed = 0;
  for (const r of trainRows) {
    const split = r.split === undefined ? 'train' : SPLIT_NAMES[r.split.toLowerCase()];
    if (!split) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `"${o.splitField}" is ${JSON.stringify(r.split)}, not a split name`, where: r.where, choices: Object.keys(SPLIT_NAMES), fix: `Name a split, or set \`splitField\` to another field` });
    }
    if (r.split !== undefined) routed++;
    splits[split].push(toRow(r));
  }
  if (routed > 0) notes.push(`${o.path}: the "${o.splitField}" field put ${splits.train.length} texts in train, ${splits.validation.length} in validation, ${splits.test.length} in test.`);
  if (o.validationPath) splits.validation.push(...(await read(o.validationPath, 'validationPath')).map(toRow));
  if (o.testPath) splits.test.push(...(await read(o.testPath, 'testPath')).map(toRow));
  if (splits.test.length === 0) {
    if (o.testFraction > 0) {
      const first = fields[0]!;
      const labelOfRow = (r: TextRow) => (multi ? r.labels?.[first] : r.label);
      const classes = [...new Set(splits.train.map(labelOfRow).filter((l) => l !== undefined))].sort();
      const data = Int32Array.from(splits.train, (r) => Math.max(0, classes.indexOf(labelOfRow(r) as string)));
      const mask = Uint8Array.from(splits.train, (r) => (labelOfRow(r) === undefined ? 0 : 1));
      const { kept, held } = stratifiedSplit(splits.train.length, { data, shape: [data.length], mask }, o.testFraction, new Rng(deriveSeed(ctx.seed, 404)));
      splits.test = Array.from(held, (i) => splits.train[i]!);
      splits.train = Array.from(kept, (i) => splits.train[i]!);
      notes.push(`No test split given: ${held.length} texts (testFraction ${o.testFraction}, stratified by "${first}") were held out of ${o.path} as the test split.`);
    } else {
      notes.push(`No test split given and testFraction is 0: no held-out test texts, so final metrics cannot be measured on unseen data.`);
    }
  }
  const dataset = await buildTextDataset(
    { train: splits.train, ...(splits.validation.length > 0 ? { validation: splits.validation } : {}), ...(splits.test.length > 0 ? { test: splits.test } : {}) },
    { tokenizer: o.tokenizer, sourcePreprocessing: ctx.sourcePreprocessing, env: ctx.env, hub, configDir: ctx.configDir, maxLength: o.maxLength, classes: o.classes, where: ctx.where, ...(multi ? { targets: fields } : {}) },
  );
  dataset.notes = [...notes, ...(dataset.notes ?? [])];
  return dataset;
}
