/** The special tokens of a BERT WordPiece vocabulary. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * A Hugging Face `tokenizer.json` for BERT built from a WordPiece vocabulary (one token per line,
 * id = line number): BertNormalizer (lowercase), BertPreTokenizer, WordPiece with `##` continuations,
 * and a TemplateProcessing post-processor adding [CLS] … [SEP] (pairs: [CLS] A [SEP] B [SEP]).
 */
export function bertTokenizerJson(vocab: readonly string[], options: { lowercase?: boolean } = {}): Record<string, unknown> {
  const ids = new Map<string, number>();
  vocab.forEach((token, i) => {
    if (!ids.has(token)) ids.set(token, i);
  });
  const id = (t: string) => {
    const v = ids.get(t);
    if (v === undefined) throw new Error(`The vocabulary has no ${t} token`);
    return v;
  };
  const cls = id('[CLS]');
  const sep = id('[SEP]');
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BERT_SPECIAL_TOKENS.filter((t) => ids.has(t)).map((t) => ({
      id: ids.get(t),
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: options.lowercase ?? true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(ids),
    },
  };
}

/** The `tokenizer_config.json` transformers.js reads next to `tokenizer.json`. */
export function bertTokenizerConfigJson(maxLength: number, options: { lowercase?: boolean } = {}): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: options.lowercase ?? true,
    model_max_length: maxLength,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    padding_side: 'right',
    truncation_side: 'right',
  };
}

/**
 * A small WordPiece vocabulary covering `texts`: the special tokens, every lower-cased word, and
 * every character alone and as a `##` continuation, so any text of those characters tokenizes
 * without [UNK]. Meant for tiny models trained here, not as a substitute for a learned vocabulary.
 */
export function vocabFromTexts(texts: readonly string[], maxWords = 2000): string[] {
  const counts = new Map<string, number>();
  const chars = new Set<string>();
  for (const text of texts) {
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      for (const ch of word) chars.add(ch);
    }
  }
  const words = [...counts.entries()]
    .filter(([w]) => [...w].length > 1)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxWords)
    .map(([w]) => w);
  const charList = [...chars].sort();
  return [...BERT_SPECIAL_TOKENS, ...charList, ...charList.map((c) => `##${c}`), ...words];
}
