import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AutoTokenizer } from '@huggingface/transformers';
import { GraftError, Rng, deriveSeed, type Logger } from '@graft/core';
import type { BertConfig } from '../bert/config.js';
import { BertEncoder } from '../bert/encoder.js';
import { initBertWeights } from '../bert/init.js';
import { encodeTexts } from '../hf/tokenizer.js';
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
  /** Tokens per text (longer ones are truncated). @default 64 */
  maxLength?: number;
  /** @default 5 */
  epochs?: number;
  /** @default 16 */
  batchSize?: number;
  /** @default 1e-3 */
  lr?: number;
  /** @default 0 */
  seed?: number;
  log?: Logger;
}

export interface MiniBertResult {
  config: BertConfig;
  /** Mean training loss per epoch. */
  losses: number[];
  /** Masked-LM loss on fixed masks of the training text before and after pretraining (dropout off). */
  before: number;
  after: number;
  /** How many texts were truncated to `maxLength`. */
  truncated: number;
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
    let data: ReturnType<typeof encodeTexts>;
    try {
      await writeBertDirectory(tokDir, { config, weights: new Map(), vocab, onnx: false, safetensors: false });
      data = encodeTexts(await AutoTokenizer.from_pretrained(tokDir), options.texts, maxLength);
    } finally {
      rmSync(tokDir, { recursive: true, force: true });
    }
    const special = BERT_SPECIAL_TOKENS.map((t) => vocab.indexOf(t));
    const masking: MaskingOptions = { maskId: vocab.indexOf('[MASK]'), vocabSize: vocab.length, specialIds: special };
    const before = evaluateMaskedLm(head, data, masking, deriveSeed(seed, 3));
    const losses = await pretrainMaskedLm(encoder, head, data, {
      epochs: options.epochs ?? 5,
      batchSize: options.batchSize ?? 16,
      lr: options.lr ?? 1e-3,
      seed: deriveSeed(seed, 4),
      masking,
      log: options.log,
    });
    const after = evaluateMaskedLm(head, data, masking, deriveSeed(seed, 3));
    await saveBert(options.out, encoder, { vocab }, head);
    return { config, losses, before, after, truncated: data.truncated };
  } finally {
    head.dispose();
    encoder.dispose();
  }
}
