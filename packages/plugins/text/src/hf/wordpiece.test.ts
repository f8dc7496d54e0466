import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { readVocabFile } from '../fixture/tiny-bert.js';
import { BERT_VOCAB } from '../test-utils/paths.js';
import { bertTokenizerConfigJson, bertTokenizerJson } from './tokenizer-json.js';
import { loadTokenizer } from './node-access.js';
import { WordPieceTokenizer } from './wordpiece.js';

// Accents, CJK, punctuation and ASCII symbols, control and zero-width characters, tabs and newlines,
// special tokens written in the text, a word past 100 characters, pieces missing from the vocabulary.
const TEXTS = [
  'Hello, world! The unaffable man.',
  'Café naïve résumé — ÉLAN façade Ångström',
  '中文字符和日本語のテキスト 한국어',
  'price: $5.00 + tax <b>bold</b> ^caret `tick` |pipe| ~tilde~ a_b',
  'tab\there\nnewline\r\nzero\u200bwidth\u0000null\ufffdreplacement\u0007bell',
  'the [MASK] sat on the [SEP] mat [CLS][PAD]',
  `${'x'.repeat(101)} short ${'ab'.repeat(50)}`,
  '🙂 emoji 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﬁ ligature ½ fraction',
  '   ',
  '',
  "don't stop-believing... (really?) [brackets] {braces}",
];

describe('WordPieceTokenizer', () => {
  it('gives the ids of the Hugging Face tokenizer (transformers.js) for the same tokenizer.json', async () => {
    env.allowRemoteModels = false;
    const vocab = await readVocabFile(BERT_VOCAB);
    const dir = mkdtempSync(join(tmpdir(), 'graft-wordpiece-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocab)));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfigJson(512)));
    const reference = await AutoTokenizer.from_pretrained(dir);
    const ours = WordPieceTokenizer.fromVocabLines(vocab);
    const fromDir = await loadTokenizer(dir);
    expect(fromDir).toBeInstanceOf(WordPieceTokenizer);
    for (const text of TEXTS) {
      expect(ours.encode(text), text).toEqual(reference.encode(text));
      expect(ours.encode(text, { add_special_tokens: false }), text).toEqual(reference.encode(text, { add_special_tokens: false }));
      expect(fromDir.encode(text), text).toEqual(reference.encode(text));
    }
    expect(ours.sep_token_id).toBe(reference.sep_token_id);
    expect(ours.pad_token_id).toBe(reference.pad_token_id);
    // The reference ids from the vocabulary's PROVENANCE.txt (a Python WordPiece run).
    expect(ours.encode('Hello, world! The unaffable man.')).toEqual([101, 7592, 1010, 2088, 999, 1996, 14477, 20961, 3468, 2158, 1012, 102]);
  });

  it('matches the cased reference too (no lower-casing, accents kept)', async () => {
    const vocab = await readVocabFile(BERT_VOCAB);
    const dir = mkdtempSync(join(tmpdir(), 'graft-wordpiece-cased-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocab, { lowercase: false })));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfigJson(512, { lowercase: false })));
    const reference = await AutoTokenizer.from_pretrained(dir);
    const ours = await loadTokenizer(dir);
    for (const text of TEXTS) expect(ours.encode(text), text).toEqual(reference.encode(text));
  });
});
