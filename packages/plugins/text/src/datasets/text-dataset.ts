import { GraftError, Rng } from '@graft/core';
import type { Dataset, Environment, Examples, SourcePreprocessing } from '@graft/core';
import type { HubAccess } from '../hf/hub.js';
import { encodeTexts, encodeWindows, isUrl, openTokenizer } from '../hf/tokenizer.js';

/** One labelled (or unlabelled: `label` undefined) text. */
export interface TextRow {
  text: string;
  label?: string;
  /** Labels by field, for a dataset with several label fields (`BuildTextDatasetOptions.targets`). */
  labels?: Record<string, string | undefined>;
}

export interface TextSplits {
  train: TextRow[];
  validation?: TextRow[];
  test?: TextRow[];
}

export interface BuildTextDatasetOptions {
  /** A tokenizer directory or vocabulary file (resolved against `configDir`), or a hub id. */
  tokenizer?: string;
  /** The run's source's preprocessing settings; their `tokenizer` (absolute, or a hub id) is used when `tokenizer` is not given. */
  sourcePreprocessing?: SourcePreprocessing;
  configDir: string;
  maxLength: number;
  /**
   * Fixed class order; labels outside it are an error. With several `targets`, a list per target.
   * @default the sorted distinct labels
   */
  classes?: string[] | Record<string, string[]>;
  /** Config path, for errors. */
  where: string;
  /** The files and downloads the tokenizer is read through (the dataset context's `env`). */
  env: Pick<Environment, 'files' | 'resources'>;
  /** Tokenizers by hub id: transformers.js in Node, none in a browser. */
  hub: HubAccess;
  /** Name of the label column. @default 'label' */
  target?: string;
  /** Several label columns, read from `TextRow.labels` by these names; the first is the default target. */
  targets?: string[];
  /** Split each text into up to this many consecutive windows of `maxLength` tokens, one sample each. @default 1 */
  windows?: number;
}

/** The label of `row` in target `name`. */
function labelIn(row: TextRow, name: string, options: BuildTextDatasetOptions): string | undefined {
  return options.targets ? row.labels?.[name] : row.label;
}

/**
 * The key of `PretrainedSource.preprocessing` under which a text source names its tokenizer (a directory,
 * vocabulary file or hub id), for text datasets that name none themselves.
 */
export const SOURCE_TOKENIZER = 'tokenizer';

/**
 * Resolve `tokenizer` against the config directory when it names a file or folder there; a URL stays a
 * URL, and anything else is a hub id.
 */
export async function resolveTokenizerRef(ref: string, configDir: string, files: Environment['files']): Promise<string> {
  if (isUrl(ref)) return ref;
  const local = files.resolve(configDir, ref);
  if (local === ref || ref.startsWith('.')) return local;
  return (await files.stat(local)) !== undefined ? local : ref;
}

async function tokenizerRef(options: BuildTextDatasetOptions): Promise<string> {
  if (options.tokenizer !== undefined) return resolveTokenizerRef(options.tokenizer, options.configDir, options.env.files);
  const fromSource = options.sourcePreprocessing?.[SOURCE_TOKENIZER];
  if (typeof fromSource === 'string') return fromSource;
  if (fromSource !== undefined) {
    throw new GraftError('GRAFT_PLUGIN_INVALID', {
      what: `The source's preprocessing gives \`${SOURCE_TOKENIZER}\` as ${typeof fromSource}, not a tokenizer directory, vocabulary file or hub id`,
      where: `${options.where}.tokenizer`,
      fix: `Set \`tokenizer\` on the dataset, or fix the source plugin's \`preprocessing\` hook to return a string \`${SOURCE_TOKENIZER}\``,
    });
  }
  throw new GraftError('GRAFT_CONFIG_INVALID', {
    what: 'The text dataset has no tokenizer, and the source provides none',
    where: `${options.where}.tokenizer`,
    fix: 'Set `tokenizer` to a Hugging Face directory, a hub id or a WordPiece vocab.txt, or use a source that has one (text/bert, text/bert-init)',
  });
}

/**
 * Tokenize text splits into a Graft dataset: inputs `input_ids` and `attention_mask` (one padded length
 * across splits, at most `maxLength`), a classification target with class names, and a note counting
 * truncated texts.
 */
export async function buildTextDataset(splits: TextSplits, options: BuildTextDatasetOptions): Promise<Dataset> {
  const tokenizer = await openTokenizer(await tokenizerRef(options), { ...options.env, hub: options.hub, where: `${options.where}.tokenizer` });
  const names = (['train', 'validation', 'test'] as const).filter((s) => splits[s] !== undefined);
  const all = names.flatMap((s) => splits[s]!);
  if (splits.train.length === 0) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: 'The training split has no texts', where: options.where });
  }
  const targetNames = options.targets ?? [options.target ?? 'label'];
  const classesOf = new Map<string, string[]>();
  for (const name of targetNames) {
    const seen = [...new Set(all.map((r) => labelIn(r, name, options)).filter((l): l is string => l !== undefined))].sort();
    const fixed = Array.isArray(options.classes) ? options.classes : options.classes?.[name];
    const classes = fixed ?? seen;
    const unknown = seen.filter((l) => !classes.includes(l));
    if (unknown.length > 0) {
      throw new GraftError('GRAFT_LABELS_MISMATCH', {
        what: `Labels ${unknown.map((l) => `"${l}"`).join(', ')}${options.targets ? ` of "${name}"` : ''} are not among the configured classes`,
        where: `${options.where}.classes`,
        choices: classes,
      });
    }
    classesOf.set(name, classes);
  }
  const windows = options.windows ?? 1;
  const texts = all.map((r) => r.text);
  const encoded = windows > 1 ? encodeWindows(tokenizer, texts, options.maxLength, windows) : encodeTexts(tokenizer, texts, options.maxLength);
  const perText = encoded.rowsPerText ?? all.map(() => 1);
  const notes: string[] = [];
  if (encoded.truncated > 0) {
    const limit = windows > 1 ? `${windows} windows of ${options.maxLength}` : `${options.maxLength}`;
    notes.push(`${encoded.truncated} of ${all.length} texts were longer than ${limit} tokens and were truncated.`);
  }
  if (windows > 1) notes.push(`${all.length} texts gave ${encoded.input_ids.shape[0]} windows of up to ${options.maxLength} tokens.`);
  for (const name of targetNames) {
    const unlabelled = all.filter((r) => labelIn(r, name, options) === undefined).length;
    if (unlabelled > 0) notes.push(`${unlabelled} of ${all.length} texts have no label${options.targets ? ` in "${name}"` : ''}.`);
  }
  const L = encoded.length;
  let offset = 0;
  let textAt = 0;
  const take = (texts: TextRow[]): Examples => {
    // Each text's windows are consecutive rows, each with the text's label.
    const rows = texts.flatMap((r, i) => Array.from({ length: perText[textAt + i]! }, () => r));
    textAt += texts.length;
    const n = rows.length;
    const ids = encoded.input_ids.data.slice(offset * L, (offset + n) * L);
    const mask = encoded.attention_mask.data.slice(offset * L, (offset + n) * L);
    offset += n;
    const targets: Examples['targets'] = {};
    for (const name of targetNames) {
      const classes = classesOf.get(name)!;
      const labels = rows.map((r) => labelIn(r, name, options));
      const column: Examples['targets'][string] = { data: Int32Array.from(labels, (l) => (l === undefined ? 0 : classes.indexOf(l))), shape: [n] };
      if (labels.includes(undefined)) column.mask = Uint8Array.from(labels, (l) => (l === undefined ? 0 : 1));
      targets[name] = column;
    }
    return {
      size: n,
      inputs: { input_ids: { data: ids, shape: [n, L] }, attention_mask: { data: mask, shape: [n, L] } },
      targets,
    };
  };
  const dataset: Dataset = {
    modality: 'text',
    targets: Object.fromEntries(targetNames.map((name) => [name, { kind: 'classes' as const, classes: classesOf.get(name)! }])),
    defaultTarget: targetNames[0]!,
    train: take(splits.train),
    notes,
  };
  if (splits.validation) dataset.validation = take(splits.validation);
  if (splits.test) dataset.test = take(splits.test);
  return dataset;
}

/** Split rows at random (seeded) into train / validation / test by fractions. */
export function splitRows(rows: TextRow[], seed: number, validationFraction: number, testFraction: number): TextSplits {
  const order = new Rng(seed).permutation(rows.length);
  const shuffled = Array.from(order, (i) => rows[i]!);
  const nTest = Math.round(rows.length * testFraction);
  const nVal = Math.round(rows.length * validationFraction);
  const out: TextSplits = { train: shuffled.slice(nTest + nVal) };
  if (nVal > 0) out.validation = shuffled.slice(nTest, nTest + nVal);
  if (nTest > 0) out.test = shuffled.slice(0, nTest);
  return out;
}
