import { GraftError, Rng } from '@graft/core';
import { fileWhere, readModelJson, type ModelFolder } from '../hf/model-folder.js';
import { parseBertConfig, type BertConfig } from './config.js';
import { initBertWeights, initWeight } from './init.js';
import { loadBertWeights } from './load-weights.js';
import { bertWeightSpecs, type BertWeights } from './weight-spec.js';

/** The files a BERT directory must hold besides its weights. */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

export interface LoadedBert {
  config: BertConfig;
  weights: BertWeights;
  /** Where the weights came from (`model.safetensors` or `onnx/model.onnx`). */
  weightsFile: string;
  /** The tokenizer.json of the folder, parsed. */
  tokenizerJson: Record<string, unknown>;
  /** Things the user should know (a pooler initialised because the checkpoint had none). */
  notes: string[];
}

/**
 * Read a BERT from a Hugging Face directory and check that config, tokenizer and weights describe
 * the same model. `seed` initialises a missing pooler (masked-LM checkpoints carry none). `prefer` reads
 * only that weights file; `init: 'random'` reads no weights and initialises every one as BERT does
 * (Devlin et al. 2019), for a from-scratch baseline with the same architecture and tokenizer.
 */
export async function loadBertModel(
  folder: ModelFolder,
  options: { prefer?: 'safetensors' | 'onnx'; seed?: number; init?: 'pretrained' | 'random' } = {},
): Promise<LoadedBert> {
  const dir = folder.location;
  // Each required file is fetched once and checked in order, so the first missing one is the one named.
  const bytes = new Map<string, Uint8Array>();
  for (const f of REQUIRED_FILES) bytes.set(f, await folder.read(f));
  const once: ModelFolder = { location: dir, has: (n) => folder.has(n), read: async (n) => bytes.get(n) ?? folder.read(n) };
  const configJson = await readModelJson(once, 'config.json');
  const tokenizerJson = await readModelJson(once, 'tokenizer.json');
  const config = parseBertConfig(configJson, fileWhere(folder, 'config.json'));
  const tokenizerVocab = tokenizerVocabSize(tokenizerJson, dir);
  if (tokenizerVocab > config.vocabSize) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Vocabulary size disagrees: tokenizer.json has ${tokenizerVocab} tokens but config.json says vocab_size ${config.vocabSize}`,
      where: dir,
      why: 'the tokenizer would produce ids the embeddings do not have',
      fix: 'Use the tokenizer that was saved with this model.',
    });
  }
  if (options.init === 'random') {
    const weights = initBertWeights(config, new Rng(options.seed ?? 0));
    return { config, weights, tokenizerJson, weightsFile: 'random initialisation', notes: [`init: random — every weight of ${dir} is initialised randomly (BERT's normal(0, 0.02)); no pretrained weights are read.`] };
  }
  const { weights, file, missing } = await loadBertWeights(folder, config, options.prefer);
  const notes: string[] = [];
  if (missing.length > 0) {
    const rng = new Rng(options.seed ?? 0);
    for (const spec of bertWeightSpecs(config)) {
      if (missing.includes(spec.name)) weights.set(spec.name, { shape: spec.shape, data: initWeight(spec, rng) });
    }
    notes.push(`${file} has no pooler; it was initialised randomly (${missing.join(', ')}).`);
  }
  return { config, weights, tokenizerJson, weightsFile: file, notes };
}

/** One more than the largest id of the WordPiece vocabulary and the added tokens. */
function tokenizerVocabSize(json: Record<string, unknown>, dir: string): number {
  const model = json.model as { type?: string; vocab?: Record<string, number> } | undefined;
  if (!model || typeof model.vocab !== 'object' || model.vocab === null || Array.isArray(model.vocab)) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: 'tokenizer.json has no WordPiece vocabulary (model.vocab)',
      where: dir,
      fix: 'text/bert needs a BERT WordPiece tokenizer.json.',
    });
  }
  let max = -1;
  for (const id of Object.values(model.vocab)) max = Math.max(max, id);
  for (const t of (json.added_tokens as Array<{ id: number }> | undefined) ?? []) max = Math.max(max, t.id);
  return max + 1;
}
