import { GraftError } from '@graft/core';
import type { FileStore, HostTensor, ResourceStore } from '@graft/core';
import type { HubAccess } from './hub.js';
import { fileModelFolder, urlModelFolder, type ModelFolder } from './model-folder.js';
import { WordPieceTokenizer, wordPieceFromTokenizerJson, type TextTokenizer } from './wordpiece.js';

/** The environment services a tokenizer is read through. */
export interface TokenizerAccess {
  files: FileStore;
  resources: ResourceStore;
  hub: HubAccess;
  /** Config path, for errors. */
  where?: string;
}

/** An http(s) URL rather than a path or hub id. */
export function isUrl(ref: string): boolean {
  return /^https?:\/\//i.test(ref);
}

/**
 * Open a tokenizer: a WordPiece `vocab.txt` (a BERT uncased tokenizer), a model folder (a path of
 * `files`, or a base URL fetched through `resources`) or a hub id. A vocabulary, or a folder whose
 * `tokenizer.json` is a BERT WordPiece tokenizer, is read by Graft's own {@link WordPieceTokenizer};
 * anything else goes to the hub access (transformers.js in Node, none in a browser).
 */
export async function openTokenizer(ref: string, access: TokenizerAccess): Promise<TextTokenizer> {
  const { files, resources, where } = access;
  try {
    if (isUrl(ref)) {
      if (ref.endsWith('.txt')) return tokenizerFromVocab(await resources.get({ url: ref, label: 'the vocabulary' }));
      const native = await nativeTokenizer(urlModelFolder(resources, ref));
      if (native) return native;
    } else {
      const info = await files.stat(ref);
      if (info?.kind === 'file' && ref.endsWith('.txt')) return tokenizerFromVocab((await files.read(ref))!);
      if (info?.kind === 'directory') {
        const folder = fileModelFolder(files, ref);
        const native = (await folder.has('tokenizer.json')) ? await nativeTokenizer(folder) : undefined;
        if (native) return native;
      }
    }
  } catch (cause) {
    throw cannotLoad(ref, where, cause);
  }
  try {
    return await access.hub.tokenizer(ref, where);
  } catch (cause) {
    if (cause instanceof GraftError) throw cause;
    throw cannotLoad(ref, where, cause);
  }
}

/** Graft's WordPiece tokenizer for the folder's tokenizer.json, or undefined when it is not a BERT WordPiece one. */
async function nativeTokenizer(folder: ModelFolder): Promise<WordPieceTokenizer | undefined> {
  return wordPieceFromTokenizerJson(JSON.parse(new TextDecoder().decode(await folder.read('tokenizer.json'))));
}

function cannotLoad(pathOrId: string, where: string | undefined, cause: unknown): GraftError {
  return new GraftError('GRAFT_MODEL_LOAD', {
    what: `Cannot load the tokenizer "${pathOrId}"`,
    where,
    why: (cause as Error).message,
    fix: 'Point it at a WordPiece vocab.txt, a directory with tokenizer.json and tokenizer_config.json, or a hub id (with env.allowRemoteModels or a filled cache).',
    cause,
  });
}

/** A BERT (uncased) tokenizer for the bytes of a WordPiece vocabulary file. */
function tokenizerFromVocab(bytes: Uint8Array): WordPieceTokenizer {
  return WordPieceTokenizer.fromVocabLines(vocabLines(bytes));
}

/** The tokens of a WordPiece `vocab.txt`, one a line (id = line number). */
export function vocabLines(bytes: Uint8Array): string[] {
  const lines = new TextDecoder().decode(bytes).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/** Token ids and attention masks of a list of texts, padded to one length. */
export interface EncodedTexts {
  /** `[N, length]` int32 ids, right-padded with the pad id. */
  input_ids: HostTensor;
  /** `[N, length]` 1 for tokens, 0 for padding. */
  attention_mask: HostTensor;
  /** How many texts were longer than `maxLength` tokens and were cut. */
  truncated: number;
  /** The padded length: the longest encoded text, at most `maxLength`. */
  length: number;
  /** Rows per text, in text order (from `encodeWindows`; `encodeTexts` gives one row per text). */
  rowsPerText?: number[];
}

/**
 * Encode texts with [CLS] … [SEP], cut to `maxLength` tokens the way Hugging Face truncates (the text
 * is shortened, the final [SEP] kept), and right-pad to the longest. Very long texts are first cut to a
 * prefix, since only the first `maxLength` tokens are kept; the full text is re-read only when that
 * prefix turned out not to fill `maxLength`, so the truncation count stays exact.
 */
export function encodeTexts(tokenizer: TextTokenizer, texts: readonly string[], maxLength: number): EncodedTexts {
  if (!Number.isInteger(maxLength) || maxLength < 2) {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `maxLength must be an integer of at least 2, got ${maxLength}` });
  }
  const sep = tokenizer.sep_token_id;
  const pad = tokenizer.pad_token_id ?? 0;
  const prefixChars = maxLength * 16;
  let truncated = 0;
  const rows: number[][] = texts.map((text) => {
    let ids = tokenizer.encode(text.length > prefixChars ? text.slice(0, prefixChars) : text);
    if (text.length > prefixChars && ids.length <= maxLength) ids = tokenizer.encode(text);
    if (ids.length > maxLength) {
      truncated++;
      ids = sep === undefined || sep === null ? ids.slice(0, maxLength) : [...ids.slice(0, maxLength - 1), sep];
    }
    return ids;
  });
  return padRows(rows, pad, truncated);
}

/**
 * Split each text into up to `maxWindows` consecutive windows of `maxLength` tokens ([CLS] … [SEP] each),
 * as BERT's pretraining reads whole documents rather than their first tokens. Short texts give one
 * window; `truncated` counts the texts that had more than `maxWindows` windows of text.
 */
export function encodeWindows(tokenizer: TextTokenizer, texts: readonly string[], maxLength: number, maxWindows: number): EncodedTexts {
  if (!Number.isInteger(maxLength) || maxLength < 3) {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `maxLength must be an integer of at least 3, got ${maxLength}` });
  }
  // The special tokens the tokenizer itself adds around a text: [CLS] and [SEP] for BERT.
  const specials = tokenizer.encode('');
  const [cls, sep] = specials;
  if (specials.length !== 2 || cls === undefined || sep === undefined) {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: 'Splitting texts into windows needs a tokenizer with [CLS] and [SEP] tokens' });
  }
  const body = maxLength - 2;
  const prefixChars = body * maxWindows * 16;
  let truncated = 0;
  const rows: number[][] = [];
  const rowsPerText: number[] = [];
  const limit = body * maxWindows;
  for (const text of texts) {
    const before = rows.length;
    // As in encodeTexts: tokenize a prefix of a very long text, and the whole text only when it fell short.
    let ids = tokenizer.encode(text.length > prefixChars ? text.slice(0, prefixChars) : text, { add_special_tokens: false });
    if (text.length > prefixChars && ids.length <= limit) ids = tokenizer.encode(text, { add_special_tokens: false });
    if (ids.length > limit) truncated++;
    for (let start = 0; start < Math.max(1, Math.min(ids.length, limit)); start += body) rows.push([cls, ...ids.slice(start, Math.min(start + body, limit)), sep]);
    rowsPerText.push(rows.length - before);
  }
  return { ...padRows(rows, tokenizer.pad_token_id ?? 0, truncated), rowsPerText };
}

/** Token rows right-padded with `pad` to the longest (at least 2), with their attention masks. */
function padRows(rows: readonly number[][], pad: number, truncated: number): EncodedTexts {
  const length = rows.reduce((longest, r) => Math.max(longest, r.length), 2);
  const ids = new Int32Array(rows.length * length).fill(pad);
  const mask = new Int32Array(rows.length * length);
  rows.forEach((r, i) => {
    ids.set(r, i * length);
    mask.fill(1, i * length, i * length + r.length);
  });
  return {
    input_ids: { data: ids, shape: [rows.length, length] },
    attention_mask: { data: mask, shape: [rows.length, length] },
    truncated,
    length,
  };
}
