import { BERT_SPECIAL_TOKENS } from './tokenizer-json.js';

/**
 * What Graft's text datasets need from a tokenizer: token ids of a text (with or without the [CLS] … [SEP]
 * the tokenizer adds), and the [SEP] and [PAD] ids. Both {@link WordPieceTokenizer} and a transformers.js
 * `PreTrainedTokenizer` have this shape.
 */
export interface TextTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  /** The [SEP] id, kept as the last token when a text is cut. */
  readonly sep_token_id?: number | null;
  /** The padding id. @default 0 */
  readonly pad_token_id?: number | null;
}

/** Options of {@link WordPieceTokenizer}, as in a Hugging Face `BertNormalizer` and `WordPiece` model. */
export interface WordPieceOptions {
  /** Lower-case the text (and strip accents unless `stripAccents` is false). @default true */
  lowercase?: boolean;
  /** Strip accents (NFD, drop combining marks). @default follows `lowercase` */
  stripAccents?: boolean | null;
  /** Drop control characters and turn every whitespace character into a space. @default true */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs, so each is its own word. @default true */
  handleChineseChars?: boolean;
  /** Words longer than this many characters become [UNK]. @default 100 */
  maxInputCharsPerWord?: number;
  /** Prefix of a piece that continues a word. @default '##' */
  continuingSubwordPrefix?: string;
}

// ASCII punctuation counts as punctuation for BERT even where Unicode says symbol ($, +, <, ^, `, |, ~).
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORDS = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');

/** The CJK Unified Ideograph blocks BERT's basic tokenizer splits character by character. */
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function isControl(char: string): boolean {
  if (char === '\t' || char === '\n' || char === '\r') return false;
  return /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u.test(char);
}

/**
 * BERT's WordPiece tokenizer (Devlin et al. 2019, "BERT", §3; Wu et al. 2016 for WordPiece) over a
 * vocabulary, with no runtime dependency: clean the text, split CJK ideographs, lower-case and strip
 * accents, split on whitespace and punctuation, then cut each word greedily into the longest vocabulary
 * pieces (continuations prefixed `##`), a word with no such cut becoming [UNK]. Special tokens written in
 * the text ("[MASK]") are kept whole. Gives the same ids as the Hugging Face tokenizer for the same
 * `tokenizer.json` (see {@link bertTokenizerJson}).
 */
export class WordPieceTokenizer implements TextTokenizer {
  readonly sep_token_id: number | null;
  readonly pad_token_id: number | null;
  private readonly cls: number | null;
  private readonly unk: number;
  private readonly lowercase: boolean;
  private readonly stripAccents: boolean;
  private readonly cleanText: boolean;
  private readonly chinese: boolean;
  private readonly maxChars: number;
  private readonly prefix: string;
  private readonly specials: Map<string, number>;
  private readonly specialPattern: RegExp | null;

  /** @param vocab token → id. */
  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    options: WordPieceOptions & { specialTokens?: readonly string[] } = {},
  ) {
    const unk = vocab.get('[UNK]');
    if (unk === undefined) throw new Error('The vocabulary has no [UNK] token');
    this.unk = unk;
    this.cls = vocab.get('[CLS]') ?? null;
    this.sep_token_id = vocab.get('[SEP]') ?? null;
    this.pad_token_id = vocab.get('[PAD]') ?? null;
    this.lowercase = options.lowercase ?? true;
    this.stripAccents = options.stripAccents ?? this.lowercase;
    this.cleanText = options.cleanText ?? true;
    this.chinese = options.handleChineseChars ?? true;
    this.maxChars = options.maxInputCharsPerWord ?? 100;
    this.prefix = options.continuingSubwordPrefix ?? '##';
    this.specials = new Map(
      (options.specialTokens ?? BERT_SPECIAL_TOKENS).flatMap((t) => (vocab.has(t) ? [[t, vocab.get(t)!] as const] : [])),
    );
    const escaped = [...this.specials.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialPattern = escaped.length > 0 ? new RegExp(`(${escaped.join('|')})`) : null;
  }

  /** A tokenizer for a WordPiece `vocab.txt` (one token per line, id = line number). */
  static fromVocabLines(lines: readonly string[], options?: WordPieceOptions): WordPieceTokenizer {
    const vocab = new Map<string, number>();
    lines.forEach((token, i) => {
      if (!vocab.has(token)) vocab.set(token, i);
    });
    return new WordPieceTokenizer(vocab, options);
  }

  /** Token ids of `text`, with [CLS] … [SEP] around them unless `add_special_tokens` is false. */
  encode(text: string, options: { add_special_tokens?: boolean } = {}): number[] {
    const ids: number[] = [];
    const sections = this.specialPattern ? text.split(this.specialPattern) : [text];
    for (const section of sections) {
      if (section.length === 0) continue;
      const special = this.specials.get(section);
      if (special !== undefined) ids.push(special);
      else for (const word of this.normalize(section).trim().match(WORDS) ?? []) this.pieces(word, ids);
    }
    if (options.add_special_tokens === false || this.cls === null || this.sep_token_id === null) return ids;
    return [this.cls, ...ids, this.sep_token_id];
  }

  private normalize(text: string): string {
    let out = text;
    if (this.cleanText) {
      let cleaned = '';
      for (const char of out) {
        const cp = char.charCodeAt(0);
        if (cp === 0 || cp === 0xfffd || isControl(char)) continue;
        cleaned += /^\s$/.test(char) ? ' ' : char;
      }
      out = cleaned;
    }
    if (this.chinese) {
      // By UTF-16 unit, as the reference does: only BMP ideographs are split.
      let spaced = '';
      for (let i = 0; i < out.length; i++) spaced += isChineseChar(out.charCodeAt(i)) ? ` ${out[i]} ` : out[i];
      out = spaced;
    }
    if (this.lowercase) out = out.toLowerCase();
    if (this.stripAccents) out = out.normalize('NFD').replace(/\p{Mn}/gu, '');
    return out;
  }

  /** Greedy longest-match-first WordPiece of one word, appended to `ids`. */
  private pieces(word: string, ids: number[]): void {
    const chars = [...word];
    if (chars.length > this.maxChars) {
      ids.push(this.unk);
      return;
    }
    const found: number[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let id: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        id = this.vocab.get(piece);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) {
        ids.push(this.unk);
        return;
      }
      found.push(id);
      start = end;
    }
    ids.push(...found);
  }
}

/**
 * A {@link WordPieceTokenizer} for a Hugging Face `tokenizer.json` that describes a BERT WordPiece
 * tokenizer (BertNormalizer, BertPreTokenizer, WordPiece, [CLS] … [SEP] post-processing), or undefined
 * when it describes anything else (then transformers.js reads it).
 */
export function wordPieceFromTokenizerJson(json: unknown): WordPieceTokenizer | undefined {
  const j = json as {
    normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; strip_accents?: boolean | null; lowercase?: boolean } | null;
    pre_tokenizer?: { type?: string } | null;
    post_processor?: { type?: string; single?: unknown[]; cls?: unknown; sep?: unknown } | null;
    model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number; vocab?: Record<string, number> };
    added_tokens?: { content: string; special?: boolean; normalized?: boolean; lstrip?: boolean; rstrip?: boolean }[];
  };
  const n = j.normalizer;
  const model = j.model;
  if (!n || n.type !== 'BertNormalizer' || j.pre_tokenizer?.type !== 'BertPreTokenizer') return undefined;
  if (!model || model.type !== 'WordPiece' || model.unk_token !== '[UNK]' || !model.vocab) return undefined;
  const post = j.post_processor;
  const bertTemplate = post?.type === 'BertProcessing' || (post?.type === 'TemplateProcessing' && JSON.stringify(post.single) === BERT_SINGLE);
  if (!bertTemplate) return undefined;
  const added = j.added_tokens ?? [];
  if (added.some((t) => t.normalized || t.lstrip || t.rstrip || !(BERT_SPECIAL_TOKENS as readonly string[]).includes(t.content))) return undefined;
  return new WordPieceTokenizer(new Map(Object.entries(model.vocab)), {
    lowercase: n.lowercase ?? true,
    stripAccents: n.strip_accents ?? null,
    cleanText: n.clean_text ?? true,
    handleChineseChars: n.handle_chinese_chars ?? true,
    maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
    continuingSubwordPrefix: model.continuing_subword_prefix ?? '##',
    specialTokens: added.map((t) => t.content),
  });
}

const BERT_SINGLE = JSON.stringify([
  { SpecialToken: { id: '[CLS]', type_id: 0 } },
  { Sequence: { id: 'A', type_id: 0 } },
  { SpecialToken: { id: '[SEP]', type_id: 0 } },
]);
