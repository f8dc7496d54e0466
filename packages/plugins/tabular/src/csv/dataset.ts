import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import {
  didYouMean,
  GraftError,
  type Dataset,
  type DatasetContext,
  type DatasetProvider,
  type Examples,
  type FittableSplits,
  type TargetColumn,
  type TargetInfo,
} from '@graft/core';
import { PENGUINS_DIR } from '../penguins.js';
import { csvOptionsSchema, type CsvOptions } from './options.js';
import { parseCsv, type CsvTable } from '@graft/core';
import { splitRows, type SplitIndices } from './split.js';

type SplitName = 'train' | 'validation' | 'test';

/**
 * `tabular/csv`: a CSV file with numeric or categorical feature columns and any number of label columns.
 * Missing labels become mask 0, missing numeric features are imputed with the training mean, features are
 * standardised with training statistics, and the rows are split by a seeded shuffle. Everything it
 * changes in the data is listed in the dataset's notes.
 */
export const csvDataset: DatasetProvider<CsvOptions> = {
  name: 'tabular/csv',
  description: 'CSV file: feature columns, several label columns (missing labels allowed), seeded train/validation/test split.',
  options: csvOptionsSchema,
  async load(options, ctx) {
    const file = isAbsolute(options.path) ? options.path : resolve(ctx.configDir, options.path);
    const table = parseCsv(await readText(file, ctx), basename(file), options.delimiter);
    return buildDataset(table, options, ctx, basename(file));
  },
};

/** The largest CSV file read: a JavaScript string holds at most about 512 Mi characters. */
const MAX_CSV_BYTES = 512 * 1024 * 1024;

async function readText(file: string, ctx: DatasetContext): Promise<string> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `${file} is a folder, not a CSV file`, where: `${ctx.where}.path`, fix: 'Name the CSV file itself.' });
    }
    if (info.size > MAX_CSV_BYTES) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `CSV file ${file} has ${info.size} bytes, more than the ${MAX_CSV_BYTES}-byte cap`, where: `${ctx.where}.path`, fix: 'Split or sample the file.' });
    }
    return await readFile(file, 'utf8');
  } catch (cause) {
    if (cause instanceof GraftError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    const isPenguins = /^penguins(_raw)?\.csv$/.test(basename(file));
    throw new GraftError(code === 'ENOENT' ? 'GRAFT_DATA_NOT_FOUND' : 'GRAFT_DATA_INVALID', {
      what: code === 'ENOENT' ? `CSV file ${file} does not exist` : `CSV file ${file} cannot be read (${code ?? 'unknown error'})`,
      where: `${ctx.where}.path`,
      fix: isPenguins
        ? `The Palmer penguins CSV ships in Debian's r-cran-palmerpenguins: \`apt-get install r-cran-palmerpenguins\` puts it in ${PENGUINS_DIR}/ (or, without pulling in R: \`apt-get download r-cran-palmerpenguins && dpkg-deb -x r-cran-palmerpenguins_*.deb ./penguins\`, then use ./penguins${PENGUINS_DIR}/${basename(file)}; @graft/tabular's scripts/fetch-test-assets.sh does the latter into the Graft cache)`
        : 'Check `path`; a relative path is resolved against the directory of the config file.',
      cause,
    });
  }
}

/** Turns a parsed table into a dataset; exported for tests that build tables in memory. */
export function buildDataset(table: CsvTable, options: CsvOptions, ctx: DatasetContext, file: string): Dataset {
  const column = columnLookup(table, file, ctx.where);
  const missing = new Set(options.missing);
  const notes: string[] = [];
  const featureSpecs = options.features.map((f) => (typeof f === 'string' ? { column: f, kind: 'numeric' as const } : f));
  const targetSpecs = Object.entries(options.targets).map(([name, t]) => ({ name, ...t, column: t.column ?? name }));
  column.require([...featureSpecs.map((f) => f.column), ...targetSpecs.map((t) => t.column)]);

  const defaultTarget = options.defaultTarget ?? targetSpecs[0]!.name;
  if (!options.targets[defaultTarget]) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: `defaultTarget "${defaultTarget}" is not one of the targets`, where: `${ctx.where}.defaultTarget`, choices: Object.keys(options.targets) });
  }

  // A row without any feature value carries no input; keep it out rather than invent every feature.
  const featureColumns = featureSpecs.map((f) => column.index(f.column));
  const rows = table.rows.filter((row) => featureColumns.some((c) => !missing.has(row[c]!.trim())));
  if (rows.length < table.rows.length) {
    notes.push(`${file}: ${table.rows.length - rows.length} of ${table.rows.length} rows have no feature value at all and were left out.`);
  }
  if (rows.length < 2) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: `${file} has ${rows.length} row(s) with feature values`, fix: 'A dataset needs at least two rows to split.', where: ctx.where });
  }

  const split = splitRows(rows.length, options.split, options.split.seed ?? ctx.seed);
  notes.push(`${file}: split ${split.train.length} train / ${split.validation.length} validation / ${split.test.length} test rows (seed ${options.split.seed ?? ctx.seed}).`);

  const features = encodeFeatures(rows, featureSpecs, column, split, missing, file, notes);
  const fitted = fitFeatures(features, split.train, { train: split.train, validation: split.validation, test: split.test }, options.standardize, notes);
  const targets: Record<string, TargetInfo> = {};
  const labels: Record<string, { data: Float32Array | Int32Array; present: Uint8Array }> = {};
  for (const spec of targetSpecs) {
    const encoded = encodeTarget(rows, spec, column.index(spec.column), missing, file, ctx.where);
    targets[spec.name] = encoded.info;
    labels[spec.name] = encoded;
    const trainLabelled = [...split.train].filter((i) => encoded.present[i] === 1).length;
    if (trainLabelled === 0) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Target "${spec.name}" (column "${spec.column}") has no label in the training split`,
        where: `${ctx.where}.targets.${spec.name}`,
        fix: 'Use more rows, a different split seed, or a column with more labels.',
      });
    }
    const absent = encoded.present.length - encoded.present.reduce((s, x) => s + x, 0);
    if (absent > 0) notes.push(`${spec.name}: ${absent} of ${rows.length} rows have no label in column "${spec.column}" (masked out of its loss and metrics).`);
  }

  const examples = (name: SplitName): Examples => {
    const idx = split[name];
    const width = features.names.length;
    const x = new Float32Array(idx.length * width);
    idx.forEach((r, i) => x.set(fitted.subarray(r * width, (r + 1) * width), i * width));
    const cols: Record<string, TargetColumn> = {};
    for (const [targetName, { data, present }] of Object.entries(labels)) {
      const values = data instanceof Int32Array ? new Int32Array(idx.length) : new Float32Array(idx.length);
      const mask = new Uint8Array(idx.length);
      idx.forEach((r, i) => {
        values[i] = data[r]!;
        mask[i] = present[r]!;
      });
      cols[targetName] = mask.every((m) => m === 1) ? { data: values, shape: [idx.length] } : { data: values, shape: [idx.length], mask };
    }
    return { size: idx.length, inputs: { features: { data: x, shape: [idx.length, width] } }, targets: cols, rows: Int32Array.from(idx) };
  };

  notes.push(`features (${features.names.length}): ${features.names.join(', ')}.`);
  // Core carves validation or a fold out of the training rows afterwards; refit on what is left.
  const fitToTraining = (splits: FittableSplits): FittableSplits & { notes: string[] } => {
    const parts = Object.fromEntries(
      (['train', 'validation', 'test'] as const).flatMap((name) => (splits[name] ? [[name, rowIds(splits[name]!, ctx.where)]] : [])),
    ) as Record<string, Int32Array>;
    const refitNotes: string[] = [];
    const values = fitFeatures(features, parts.train!, parts, options.standardize, refitNotes);
    const width = features.names.length;
    const refit = (e: Examples | undefined): Examples | undefined => {
      if (!e) return undefined;
      const x = new Float32Array(e.size * width);
      rowIds(e, ctx.where).forEach((r, i) => x.set(values.subarray(r * width, (r + 1) * width), i * width));
      return { ...e, inputs: { ...e.inputs, features: { data: x, shape: [e.size, width] } } };
    };
    const what = options.standardize ? 'standardised and missing values imputed' : 'missing values imputed';
    return {
      train: refit(splits.train)!,
      validation: refit(splits.validation),
      test: refit(splits.test),
      notes: [`features ${what} with statistics of the ${splits.train.size} final training rows only.`, ...refitNotes],
    };
  };
  return {
    modality: 'table',
    targets,
    defaultTarget,
    train: examples('train'),
    validation: split.validation.length > 0 ? examples('validation') : undefined,
    test: split.test.length > 0 ? examples('test') : undefined,
    notes,
    fitToTraining,
  };
}

function rowIds(e: Examples, where: string): Int32Array {
  if (!e.rows) throw new GraftError('GRAFT_DATA_INVALID', { what: 'A split of the CSV dataset lost its row ids, so its features cannot be refitted', where, fix: 'Split it with core’s `take`, which keeps them' });
  return e.rows;
}

function columnLookup(table: CsvTable, file: string, where: string) {
  const byName = new Map(table.header.map((h, i) => [h, i]));
  return {
    index: (name: string): number => byName.get(name)!,
    require(names: string[]): void {
      const absent = [...new Set(names)].filter((n) => !byName.has(n));
      if (absent.length === 0) return;
      const guess = didYouMean(absent[0]!, table.header);
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `${file} has no column ${absent.map((n) => `"${n}"`).join(', ')}`,
        where,
        choices: table.header,
        fix: guess ? `Did you mean "${guess}"?` : 'Name columns from the header line of the file.',
      });
    },
  };
}

interface EncodedFeatures {
  names: string[];
  /** Row-major `[rows, names.length]`, over every kept row of the file; missing numeric values are NaN. */
  raw: Float32Array;
  /** Columns (of `names`) that are numeric: imputed and standardised by `fitFeatures`. */
  numeric: { index: number; column: string }[];
}

/** One-hot categorical features (categories from the training rows) and raw numeric ones (NaN = missing). */
function encodeFeatures(
  rows: string[][],
  specs: { column: string; kind: 'numeric' | 'categorical' }[],
  column: { index(name: string): number },
  split: SplitIndices,
  missing: Set<string>,
  file: string,
  notes: string[],
): EncodedFeatures {
  const blocks: { names: string[]; values: Float32Array[]; numeric?: string }[] = [];
  const isTrain = new Uint8Array(rows.length);
  split.train.forEach((r) => (isTrain[r] = 1));

  for (const spec of specs) {
    const c = column.index(spec.column);
    const cells = rows.map((row) => row[c]!.trim());
    if (spec.kind === 'categorical') {
      const categories = [...new Set(cells.filter((v, r) => isTrain[r] && !missing.has(v)))].sort();
      if (categories.length === 0) {
        throw new GraftError('GRAFT_DATA_INVALID', { what: `Feature column "${spec.column}" has no value in the training split`, fix: 'Drop the column from `features`.' });
      }
      const unseen = cells.filter((v) => !missing.has(v) && !categories.includes(v)).length;
      const absent = cells.filter((v) => missing.has(v)).length;
      if (unseen + absent > 0) notes.push(`${spec.column}: ${absent} missing and ${unseen} unseen-in-training values encoded as all-zero one-hot vectors.`);
      blocks.push({ names: categories.map((k) => `${spec.column}=${k}`), values: categories.map((k) => Float32Array.from(cells, (v) => (v === k ? 1 : 0))) });
      continue;
    }
    const values = new Float32Array(rows.length);
    cells.forEach((v, r) => {
      if (missing.has(v)) {
        values[r] = NaN;
        return;
      }
      const x = Number(v);
      if (!Number.isFinite(x)) {
        throw new GraftError('GRAFT_DATA_INVALID', {
          what: `${file}: feature column "${spec.column}" holds "${v}" on data row ${r + 1}, which is not a number`,
          fix: `List it under \`missing\` if it marks a missing value, or declare the column { column: ${spec.column}, kind: categorical }.`,
        });
      }
      values[r] = x;
    });
    blocks.push({ names: [spec.column], values: [values], numeric: spec.column });
  }

  const names = blocks.flatMap((b) => b.names);
  const columns = blocks.flatMap((b) => b.values);
  const numeric: EncodedFeatures['numeric'] = [];
  let j = 0;
  for (const b of blocks) {
    if (b.numeric) numeric.push({ index: j, column: b.numeric });
    j += b.names.length;
  }
  const raw = new Float32Array(rows.length * names.length);
  columns.forEach((col, k) => col.forEach((v, r) => (raw[r * names.length + k] = v)));
  return { names, raw, numeric };
}

/**
 * Impute each numeric feature's missing values with its mean over `trainRows`, and (with `standardize`)
 * standardise it with the mean and std of those rows. Returns fitted values for every row; counts of
 * imputed values are noted per named part of the rows.
 */
function fitFeatures(
  features: EncodedFeatures,
  trainRows: ArrayLike<number>,
  parts: Record<string, ArrayLike<number>>,
  standardize: boolean,
  notes: string[],
): Float32Array {
  const width = features.names.length;
  const out = features.raw.slice();
  const rows = out.length / width;
  for (const { index: j, column } of features.numeric) {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < trainRows.length; k++) {
      const v = out[trainRows[k]! * width + j]!;
      if (Number.isNaN(v)) continue;
      sum += v;
      count++;
    }
    if (count === 0) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `Feature column "${column}" has no value in the training split`, fix: 'Drop the column from `features`, or fill it in.' });
    }
    const mean = sum / count;
    const imputed = Object.entries(parts).map(([name, idx]) => {
      let n = 0;
      for (let k = 0; k < idx.length; k++) if (Number.isNaN(out[idx[k]! * width + j]!)) n++;
      return `${name} ${n}`;
    });
    let total = 0;
    for (let r = 0; r < rows; r++) {
      if (Number.isNaN(out[r * width + j]!)) {
        out[r * width + j] = mean;
        total++;
      }
    }
    if (total > 0) notes.push(`${column}: ${total} missing values (${imputed.join(', ')}) imputed with the training mean ${round(mean)}.`);
    if (standardize) {
      let sq = 0;
      for (let k = 0; k < trainRows.length; k++) sq += (out[trainRows[k]! * width + j]! - mean) ** 2;
      let std = Math.sqrt(sq / trainRows.length);
      if (!(std > 0)) {
        notes.push(`${column}: constant in the training split, so only centred, not scaled.`);
        std = 1;
      }
      for (let r = 0; r < rows; r++) out[r * width + j] = (out[r * width + j]! - mean) / std;
    }
  }
  return out;
}

function encodeTarget(
  rows: string[][],
  spec: { name: string; column: string; kind: 'classes' | 'values'; classes?: string[] },
  c: number,
  missing: Set<string>,
  file: string,
  where: string,
): { info: TargetInfo; data: Int32Array | Float32Array; present: Uint8Array } {
  const cells = rows.map((row) => row[c]!.trim());
  const present = Uint8Array.from(cells, (v) => (missing.has(v) ? 0 : 1));
  if (present.every((p) => p === 0)) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `Target "${spec.name}": column "${spec.column}" of ${file} has no labels, all ${rows.length} rows are missing (${[...missing].map((m) => JSON.stringify(m)).join(', ')})`,
      where: `${where}.targets.${spec.name}`,
      fix: 'Pick a column with labels, or remove the target.',
    });
  }
  if (spec.kind === 'values') {
    const data = new Float32Array(rows.length);
    cells.forEach((v, r) => {
      if (!present[r]) return;
      const x = Number(v);
      if (!Number.isFinite(x)) {
        throw new GraftError('GRAFT_DATA_INVALID', {
          what: `${file}: target "${spec.name}" (column "${spec.column}") holds "${v}" on data row ${r + 1}, which is not a number`,
          where: `${where}.targets.${spec.name}`,
          fix: 'Use kind: classes for a label column, or list the value under `missing`.',
        });
      }
      data[r] = x;
    });
    return { info: { kind: 'values', dims: 1, names: [spec.column] }, data, present };
  }
  const seen = [...new Set(cells.filter((_, r) => present[r]))].sort();
  const classes = spec.classes ?? seen;
  const unknown = seen.filter((v) => !classes.includes(v));
  if (unknown.length > 0) {
    throw new GraftError('GRAFT_LABELS_MISMATCH', {
      what: `Target "${spec.name}": column "${spec.column}" holds labels not in \`classes\`: ${unknown.map((u) => `"${u}"`).join(', ')}`,
      where: `${where}.targets.${spec.name}.classes`,
      choices: classes,
      fix: 'Add them to `classes`, or list them under `missing`.',
    });
  }
  if (classes.length < 2) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: `Target "${spec.name}": column "${spec.column}" has a single class ("${classes[0]}")`, where: `${where}.targets.${spec.name}`, fix: 'A classification target needs at least two classes.' });
  }
  const index = new Map(classes.map((k, i) => [k, i]));
  const data = Int32Array.from(cells, (v, r) => (present[r] ? index.get(v)! : 0));
  return { info: { kind: 'classes', classes }, data, present };
}

function round(x: number): string {
  return Number(x.toPrecision(5)).toString();
}
