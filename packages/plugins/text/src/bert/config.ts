import { GraftError } from '@graft/core';

/** The shape of a BERT encoder, read from a Hugging Face `config.json`. */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  /** Longest sequence the position embeddings cover. */
  maxPositions: number;
  /** Number of segment (token type) ids. @default 2 */
  typeVocabSize: number;
  /** @default 1e-12 */
  layerNormEps: number;
  /** @default 0.1 */
  hiddenDropout: number;
  /** @default 0.1 */
  attentionDropout: number;
  /** @default 0 */
  padTokenId: number;
}

const ACTIVATIONS = ['gelu'] as const;

/** Parse and check `config.json`; `where` names the file in errors. */
export function parseBertConfig(json: Record<string, unknown>, where: string): BertConfig {
  const modelType = json.model_type;
  if (modelType !== undefined && modelType !== 'bert') {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `config.json has model_type "${String(modelType)}", not "bert"`,
      where,
      fix: 'text/bert loads BERT encoders; pick a BERT checkpoint.',
      choices: ['bert'],
    });
  }
  const int = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new GraftError('GRAFT_MODEL_LOAD', {
        what: `config.json has ${v === undefined ? 'no' : `an invalid (${JSON.stringify(v)})`} \`${key}\``,
        where,
        why: `\`${key}\` must be a non-negative integer`,
      });
    }
    return v;
  };
  const num = (key: string, fallback: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new GraftError('GRAFT_MODEL_LOAD', { what: `config.json has an invalid \`${key}\` (${JSON.stringify(v)})`, where });
    }
    return v;
  };
  const act = json.hidden_act ?? 'gelu';
  if (!ACTIVATIONS.includes(act as 'gelu')) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `config.json has hidden_act "${String(act)}", which text/bert does not implement`,
      where,
      choices: ACTIVATIONS,
    });
  }
  const config: BertConfig = {
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numLayers: int('num_hidden_layers'),
    numHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    maxPositions: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: num('layer_norm_eps', 1e-12),
    hiddenDropout: num('hidden_dropout_prob', 0.1),
    attentionDropout: num('attention_probs_dropout_prob', 0.1),
    padTokenId: int('pad_token_id', 0),
  };
  if (config.numHeads === 0 || config.hiddenSize % config.numHeads !== 0) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `config.json has hidden_size ${config.hiddenSize}, not a multiple of num_attention_heads ${config.numHeads}`,
      where,
    });
  }
  return config;
}

/** The `config.json` Hugging Face and transformers.js expect for this configuration. */
export function bertConfigJson(config: BertConfig): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    intermediate_size: config.intermediateSize,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_dropout_prob: config.hiddenDropout,
    attention_probs_dropout_prob: config.attentionDropout,
    hidden_act: 'gelu',
    initializer_range: 0.02,
    pad_token_id: config.padTokenId,
    position_embedding_type: 'absolute',
  };
}
