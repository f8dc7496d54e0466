import { z } from 'zod';
import { deriveSeed, GraftError, Rng } from '@graft/core';
import type { PretrainedSource, SourceContext } from '@graft/core';
import { resolvePath } from '@graft/core/browser';
import type { BertConfig } from '../bert/config.js';
import { initBertWeights } from '../bert/init.js';
import { vocabLines } from '../hf/tokenizer.js';
import { BERT_SPECIAL_TOKENS } from '../hf/tokenizer-json.js';
import { maskingTokens, vocabIds } from '../mlm/special-tokens.js';
import { SOURCE_TOKENIZER } from '../datasets/text-dataset.js';
import { BertTrunk } from './bert-trunk.js';

export const bertInitSourceOptions = z
  .object({
    /** A WordPiece `vocab.txt` (e.g. bert-base-uncased's), relative to the config file; datasets tokenize with it. */
    vocab: z.string().min(1).describe('The WordPiece vocab.txt the model reads (relative to the config file).'),
    /** @default 2 */
    layers: z.number().int().min(1).max(24).default(2).describe('Transformer layers. Default: 2.'),
    /** @default 64 */
    hidden: z.number().int().min(8).max(1024).default(64).describe('Hidden size. Default: 64.'),
    /** Attention heads; must divide `hidden`. @default 4 */
    heads: z.number().int().min(1).max(16).default(4).describe('Attention heads. Default: 4.'),
    /** Width of the feed-forward layers. @default 4 × hidden */
    intermediate: z.number().int().min(8).optional().describe('Feed-forward width. Default: 4 × hidden.'),
    /** Positions the model has: the longest input it reads. @default 64 */
    maxLength: z.number().int().min(8).max(512).default(64).describe('Positions the model has: the longest input it reads. Default: 64.'),
    /**
     * Masked-LM never trains the pooler or the [CLS] state (BERT's next-sentence task did), so the mean of
     * the token states is the informative feature of a model pretrained here. @default 'mean'
     */
    pooling: z.enum(['cls', 'mean']).default('mean').describe('How token vectors become one feature vector: the [CLS] token or the mean. Default: mean.'),
  })
  .strict();
export type BertInitSourceOptions = z.infer<typeof bertInitSourceOptions>;

/**
 * `text/bert-init`: a BERT of the size you choose, initialised as BERT is (truncated normal, σ 0.02), for
 * pretraining here: a run with a `masked-lm` task trains it, and its checkpoint is the pretrained source of the
 * next run (`graft/checkpoint`). Nothing is pretrained by loading it.
 */
export const bertInitSource = {
  name: 'text/bert-init',
  description: 'A freshly initialised BERT of a chosen size over a WordPiece vocab.txt, to pretrain with a masked-lm task',
  options: bertInitSourceOptions,
  preprocessing: (o: BertInitSourceOptions, configDir: string) => ({ [SOURCE_TOKENIZER]: resolvePath(configDir, o.vocab) }),
  async load(o: BertInitSourceOptions, ctx: SourceContext): Promise<BertTrunk> {
    const path = ctx.env.files.resolve(ctx.configDir, o.vocab);
    const bytes = (await ctx.env.files.stat(path))?.kind === 'file' ? await ctx.env.files.read(path) : undefined;
    if (!bytes) throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `The vocabulary "${path}" does not exist`, where: `${ctx.where}.vocab`, fix: 'Point `vocab` at a WordPiece vocab.txt (one token per line)' });
    const vocab = vocabLines(bytes);
    const ids = vocabIds(vocab);
    const missing = BERT_SPECIAL_TOKENS.filter((t) => !ids.has(t));
    if (missing.length > 0) {
      throw new GraftError('GRAFT_CONFIG_INVALID', { what: `The vocabulary ${path} lacks the special tokens ${missing.join(', ')}`, where: `${ctx.where}.vocab`, fix: 'Use a BERT WordPiece vocab.txt' });
    }
    if (o.hidden % o.heads !== 0) {
      throw new GraftError('GRAFT_CONFIG_INVALID', { what: `hidden ${o.hidden} is not a multiple of heads ${o.heads}`, where: `${ctx.where}.heads`, fix: 'Pick a number of heads that divides `hidden`' });
    }
    const config: BertConfig = {
      vocabSize: vocab.length,
      hiddenSize: o.hidden,
      numLayers: o.layers,
      numHeads: o.heads,
      intermediateSize: o.intermediate ?? 4 * o.hidden,
      maxPositions: o.maxLength,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      padTokenId: ids.get('[PAD]')!,
    };
    ctx.log.info(`text/bert-init: ${o.layers} layers, hidden ${o.hidden}, vocab ${vocab.length}, randomly initialised`);
    return new BertTrunk(config, initBertWeights(config, new Rng(deriveSeed(ctx.seed, 1))), {
      pooling: o.pooling,
      maxLength: o.maxLength,
      seed: deriveSeed(ctx.seed, 2),
      vocab,
      masking: maskingTokens(ids),
    });
  },
} satisfies PretrainedSource<BertInitSourceOptions>;
