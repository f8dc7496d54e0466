import { z } from 'zod';
import { deriveSeed, GraftError } from '@graft/core';
import type { PretrainedSource, SourceContext } from '@graft/core';
import { resolvePath } from '@graft/core/browser';
import { loadBertModel } from '../bert/load-model.js';
import type { HubAccess } from '../hf/hub.js';
import { fileModelFolder, urlModelFolder, type ModelFolder } from '../hf/model-folder.js';
import { maskingTokens, tokenizerJsonIds } from '../mlm/special-tokens.js';
import { SOURCE_TOKENIZER } from '../datasets/text-dataset.js';
import { BertTrunk } from './bert-trunk.js';

export const bertSourceOptions = z
  .object({
    /** A local directory in the Hugging Face layout, relative to the config file. */
    path: z.string().min(1).optional().describe('A local BERT directory in the Hugging Face layout, relative to the config file.'),
    /** A Hugging Face hub id, loaded through transformers.js (its cache, `allowRemoteModels`, `localModelPath`). Node only. */
    model: z.string().min(1).optional().describe('A Hugging Face hub id (transformers.js cache and settings apply; Node only).'),
    /**
     * The base URL of a folder in the Hugging Face layout (config.json, tokenizer.json, tokenizer_config.json,
     * model.safetensors or onnx/model.onnx), fetched through the environment's download cache and mirror; in a
     * page it may be relative to the page. Works in Node and in a browser.
     */
    url: z.string().min(1).optional().describe('Base URL of a BERT folder in the Hugging Face layout, fetched through the download cache and mirror (Node and browser; relative to the page in a browser).'),
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
  .refine((o) => [o.path, o.model, o.url].filter((v) => v !== undefined).length === 1, { message: 'Give exactly one of `path` or `model` or `url`' });

export type BertSourceOptions = z.infer<typeof bertSourceOptions>;

/** `url` made absolute: against the page in a browser; in Node it must be absolute already. */
function absoluteUrl(url: string, where: string): string {
  try {
    return new URL(url, (globalThis as { location?: { href: string } }).location?.href).href;
  } catch (cause) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: `"${url}" is not a URL`, where: `${where}.url`, fix: 'Give an absolute http(s) URL of the model folder (in a page, one relative to the page also works)', cause });
  }
}

/** The folder the options name: `path` in the environment's files, `url` through its downloads, `model` through the hub. */
async function modelFolder(options: BertSourceOptions, ctx: SourceContext, hub: HubAccess): Promise<ModelFolder> {
  const files = ctx.env.files;
  if (options.url !== undefined) return urlModelFolder(ctx.env.resources, absoluteUrl(options.url, ctx.where));
  if (options.model !== undefined) return fileModelFolder(files, await hub.modelDir(options.model, ctx.where));
  const dir = files.resolve(ctx.configDir, options.path!);
  if ((await files.stat(dir))?.kind !== 'directory') {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The model directory "${dir}" does not exist`,
      where: `${ctx.where}.path`,
      fix: 'Point `path` at a directory in the Hugging Face layout (config.json, tokenizer.json, model.safetensors or onnx/model.onnx).',
    });
  }
  return fileModelFolder(files, dir);
}

/** `text/bert`: a source whose trunk is a {@link BertTrunk}. */
export type BertSource = PretrainedSource<BertSourceOptions> & { load(options: BertSourceOptions, ctx: SourceContext): Promise<BertTrunk> };

/**
 * `text/bert`: a BERT encoder from a Hugging Face folder (a directory, a URL) or hub id, as a trainable tfjs
 * trunk. Hub ids go through `hub` (transformers.js in Node; a browser has none and uses `url`).
 */
export function bertSourceWith(hub: HubAccess): BertSource {
  return {
    name: 'text/bert',
    description: 'BERT encoder (Hugging Face layout: safetensors or ONNX) as a trainable tfjs trunk; groups embeddings, layer.0…, pooler',
    options: bertSourceOptions,
    preprocessing: (options: BertSourceOptions, configDir: string) => ({
      [SOURCE_TOKENIZER]: options.path !== undefined ? resolvePath(configDir, options.path) : options.url !== undefined ? absoluteUrl(options.url, 'source') : options.model,
    }),
    async load(options: BertSourceOptions, ctx: SourceContext): Promise<BertTrunk> {
      const folder = await modelFolder(options, ctx, hub);
      const model = await loadBertModel(folder, { prefer: options.weights, seed: deriveSeed(ctx.seed, 1), init: options.init });
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
        modelFolder: folder,
        masking: maskingTokens(tokenizerJsonIds(model.tokenizerJson)),
      });
    },
  };
}
