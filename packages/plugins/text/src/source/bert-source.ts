import { resolve } from 'node:path';
import { z } from 'zod';
import { deriveSeed, GraftError } from '@graft/core';
import type { PretrainedSource, SourceContext } from '@graft/core';
import { loadBertModel } from '../bert/load-model.js';
import { readModelJson } from '../hf/model-files.js';
import { maskingTokens, tokenizerJsonIds } from '../mlm/special-tokens.js';
import { SOURCE_TOKENIZER } from '../datasets/text-dataset.js';
import { BertTrunk } from './bert-trunk.js';
import { resolveModelDir } from './resolve.js';

export const bertSourceOptions = z
  .object({
    /** A local directory in the Hugging Face layout, relative to the config file. */
    path: z.string().min(1).optional().describe('A local BERT directory in the Hugging Face layout, relative to the config file.'),
    /** A Hugging Face hub id, loaded through transformers.js (its cache, `allowRemoteModels`, `localModelPath`). */
    model: z.string().min(1).optional().describe('A Hugging Face hub id (transformers.js cache and settings apply).'),
    /** Inputs longer than this are cut. @default the model's max_position_embeddings */
    maxLength: z.number().int().min(2).optional().describe("Inputs longer than this many tokens are cut. Default: the model's max_position_embeddings."),
    /** @default 'cls' */
    pooling: z.enum(['cls', 'mean']).default('cls').describe('Sentence vector: the [CLS] token (cls) or the mean of the tokens (mean).'),
    /** Read only this weights file, failing if it is absent. @default model.safetensors if present, else onnx/model.onnx */
    weights: z.enum(['safetensors', 'onnx']).optional().describe('Read only this weights file (model.safetensors or onnx/model.onnx), and fail if it is absent. Default: safetensors if present, else ONNX.'),
    /**
     * `random`: read no weights, initialise every one as BERT does (the same architecture and tokenizer,
     * for a from-scratch baseline). @default 'pretrained'
     */
    init: z.enum(['pretrained', 'random']).default('pretrained').describe('pretrained: read the weights; random: initialise every weight randomly (a from-scratch baseline with the same architecture and tokenizer).'),
  })
  .strict()
  .refine((o) => (o.path === undefined) !== (o.model === undefined), { message: 'Give exactly one of `path` or `model`' });

export type BertSourceOptions = z.infer<typeof bertSourceOptions>;

/** `text/bert`: a BERT encoder from a Hugging Face directory or hub id, as a trainable tfjs trunk. */
export const bertSource = {
  name: 'text/bert',
  description: 'BERT encoder (Hugging Face layout: safetensors or ONNX) as a trainable tfjs trunk; groups embeddings, layer.0…, pooler',
  options: bertSourceOptions,
  preprocessing: (options: BertSourceOptions, configDir: string) => ({ [SOURCE_TOKENIZER]: options.path !== undefined ? resolve(configDir, options.path) : options.model }),
  async load(options: BertSourceOptions, ctx: SourceContext): Promise<BertTrunk> {
    const dir = await resolveModelDir(options, ctx.configDir, ctx.where);
    const model = await loadBertModel(dir, { prefer: options.weights, seed: deriveSeed(ctx.seed, 1), init: options.init });
    for (const note of model.notes) ctx.log.warn(note);
    if (options.maxLength !== undefined && options.maxLength > model.config.maxPositions) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: `maxLength ${options.maxLength} exceeds the model's ${model.config.maxPositions} positions`,
        where: `${ctx.where}.maxLength`,
        fix: `Use at most ${model.config.maxPositions}.`,
      });
    }
    ctx.log.info(
      `text/bert: ${model.config.numLayers} layers, hidden ${model.config.hiddenSize}, vocab ${model.config.vocabSize}, weights from ${model.weightsFile}`,
    );
    return new BertTrunk(model.config, model.weights, {
      pooling: options.pooling,
      maxLength: options.maxLength,
      seed: deriveSeed(ctx.seed, 2),
      modelDir: dir,
      masking: maskingTokens(tokenizerJsonIds(await readModelJson(dir, 'tokenizer.json'))),
    });
  },
} satisfies PretrainedSource<BertSourceOptions>;
