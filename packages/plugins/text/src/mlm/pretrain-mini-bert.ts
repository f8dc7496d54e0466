import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AutoTokenizer } from '@huggingface/transformers';
import { GraftError, Rng, deriveSeed, type Logger } from '@graft/core';
import type { BertConfig } from '../bert/config.js';
import { BertEncoder } from '../bert/encoder.js';
import { initBertWeights } from '../bert/init.js';
import { encodeWindows, type EncodedTexts } from '../hf/tokenizer.js';
import { BERT_SPECIAL_TOKENS, vocabFromTexts } from '../hf/tokenizer-json.js';
import { writeBertDirectory } from '../hf/write-bert-dir.js';
import type { MaskingOptions } from './masking.js';
import { MlmHead } from './mlm-head.js';
import { evaluateMaskedLm, pretrainMaskedLm } from './pretrain.js';
import { saveBert } from './save.js';

export interface MiniBertOptions {
  /** Where the pretrained model is written (Hugging Face layout with ONNX). */
  out: string;
  /** Unlabelled training text. */
  texts: readonly string[];
  /** WordPiece vocabulary; must contain the BERT special tokens. @default vocabFromTexts(texts, 4000) */
  vocab?: readonly string[];
  /** @default 2 */
  layers?: number;
  /** @default 64 */
  hidden?: number;
  /** @default 4 */
  heads?: number;
  /** @default 4 × hidden */
  intermediate?: number;
  /** Tokens per training sequence. @default 64 */
  maxLength?: number;
  /** Split each text into up to this many consecutive sequences of `maxLength` tokens; the rest is cut. @default 1 */
  windows?: number;
  /** @default 5 */
  epochs?: number;
  /** @default 16 */
  batchSize?: number;
  /** Adam's peak learning rate. @default 1e-3 */
  lr?: number;
  /** @default 'slanted-triangular' (warm-up over 10% of the steps, then linear decay) */
  schedule?: 'constant' | 'slanted-triangular';
  /** @default 0 */
  seed?: number;
  log?: Logger;
}

export interface MiniBertResult {
  config: BertConfig;
  /** Mean training loss per epoch. */
  losses: number[];
  /** Masked-LM loss on fixed masks of (up to 2,048 of) the training sequences before and after pretraining (dropout off). */
  before: number;
  after: number;
  /** How many texts were longer than `windows` × `maxLength` tokens and were cut. */
  truncated: number;
  /** How many training sequences the texts gave. */
  sequences: number;
}

/**
 * Make a small BERT from nothing: build (or take) a WordPiece vocabulary, initialise the encoder as
 * BERT does, pretrain it with the masked-LM objective on `texts`, and save it in the Hugging Face
 * layout so `text/bert` and transformers.js load it.
 */
export async function pretrainMiniBert(options: MiniBertOptions): Promise<MiniBertResult> {
  const vocab = options.vocab ?? vocabFromTexts(options.texts, 4000);
  const missing = BERT_SPECIAL_TOKENS.filter((t) => !vocab.includes(t));
  if (missing.length > 0) {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `The vocabulary lacks the special tokens ${missing.join(', ')}` });
  }
  const hidden = options.hidden ?? 64;
  const maxLength = options.maxLength ?? 64;
  const seed = options.seed ?? 0;
  const config: BertConfig = {
    vocabSize: vocab.length,
    hiddenSize: hidden,
    numLayers: options.layers ?? 2,
    numHeads: options.heads ?? 4,
    intermediateSize: options.intermediate ?? 4 * hidden,
    maxPositions: Math.max(maxLength, 2),
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropout: 0.1,
    attentionDropout: 0.1,
    padTokenId: vocab.indexOf('[PAD]'),
  };
  const encoder = new BertEncoder(config, initBertWeights(config, new Rng(deriveSeed(seed, 1))));
  const head = new MlmHead(encoder, new Rng(deriveSeed(seed, 2)));
  try {
    // The tokenizer is written once so transformers.js tokenizes exactly as the saved model will.
    const tokDir = mkdtempSync(join(tmpdir(), 'graft-mini-bert-tok-'));
    let data: EncodedTexts;
    try {
      await writeBertDirectory(tokDir, { config, weights: new Map(), vocab, onnx: false, safetensors: false });
      data = encodeWindows(await AutoTokenizer.from_pretrained(tokDir), options.texts, maxLength, options.windows ?? 1);
    } finally {
      rmSync(tokDir, { recursive: true, force: true });
    }
    const special = BERT_SPECIAL_TOKENS.map((t) => vocab.indexOf(t));
    const masking: MaskingOptions = { maskId: vocab.indexOf('[MASK]'), vocabSize: vocab.length, specialIds: special };
    const probe = evenlySpaced(data, EVALUATED_SEQUENCES);
    const before = await evaluateMaskedLm(head, probe, masking, deriveSeed(seed, 3));
    const losses = await pretrainMaskedLm(encoder, head, data, {
      epochs: options.epochs ?? 5,
      batchSize: options.batchSize ?? 16,
      lr: options.lr ?? 1e-3,
      schedule: options.schedule ?? 'slanted-triangular',
      seed: deriveSeed(seed, 4),
      masking,
      log: options.log,
    });
    const after = await evaluateMaskedLm(head, probe, masking, deriveSeed(seed, 3));
    await saveBert(options.out, encoder, { vocab }, head);
    return { config, losses, before, after, truncated: data.truncated, sequences: data.input_ids.shape[0]! };
  } finally {
    head.dispose();
    encoder.dispose();
  }
}

/** The before/after measure reads this many sequences at most: enough for a stable mean, and quick. */
const EVALUATED_SEQUENCES = 2048;

/** At most `count` rows of `data`, evenly spaced, so every part of the corpus is represented. */
function evenlySpaced(data: EncodedTexts, count: number): EncodedTexts {
  const [n, L] = data.input_ids.shape as [number, number];
  if (n <= count) return data;
  const pick = (source: Int32Array) => {
    const out = new Int32Array(count * L);
    for (let i = 0; i < count; i++) {
      const row = Math.floor((i * n) / count);
      out.set(source.subarray(row * L, (row + 1) * L), i * L);
    }
    return out;
  };
  return {
    ...data,
    input_ids: { data: pick(data.input_ids.data as Int32Array), shape: [count, L] },
    attention_mask: { data: pick(data.attention_mask.data as Int32Array), shape: [count, L] },
  };
}
