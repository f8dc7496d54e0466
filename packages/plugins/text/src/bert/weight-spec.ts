import type { BertConfig } from './config.js';

/** A weight held on the host: HF layout (dense weights are `[out, in]`). */
export interface HostWeight {
  shape: number[];
  data: Float32Array;
}

/** BERT weights keyed by their Hugging Face `BertModel` names (no `bert.` prefix). */
export type BertWeights = Map<string, HostWeight>;

export type WeightKind = 'embedding' | 'dense' | 'bias' | 'norm-scale' | 'norm-shift';

export interface WeightSpec {
  name: string;
  shape: number[];
  kind: WeightKind;
  /** Which layer group holds it: `embeddings`, `layer.<i>` or `pooler`. */
  group: string;
}

/** Every weight of a `BertModel` in the order Hugging Face lists them (input → output). */
export function bertWeightSpecs(c: BertConfig): WeightSpec[] {
  const H = c.hiddenSize;
  const specs: WeightSpec[] = [];
  const add = (name: string, shape: number[], kind: WeightKind, group: string) => specs.push({ name, shape, kind, group });
  const dense = (prefix: string, out: number, inp: number, group: string) => {
    add(`${prefix}.weight`, [out, inp], 'dense', group);
    add(`${prefix}.bias`, [out], 'bias', group);
  };
  const norm = (prefix: string, group: string) => {
    add(`${prefix}.weight`, [H], 'norm-scale', group);
    add(`${prefix}.bias`, [H], 'norm-shift', group);
  };
  add('embeddings.word_embeddings.weight', [c.vocabSize, H], 'embedding', 'embeddings');
  add('embeddings.position_embeddings.weight', [c.maxPositions, H], 'embedding', 'embeddings');
  add('embeddings.token_type_embeddings.weight', [c.typeVocabSize, H], 'embedding', 'embeddings');
  norm('embeddings.LayerNorm', 'embeddings');
  for (let i = 0; i < c.numLayers; i++) {
    const p = `encoder.layer.${i}`;
    const g = `layer.${i}`;
    dense(`${p}.attention.self.query`, H, H, g);
    dense(`${p}.attention.self.key`, H, H, g);
    dense(`${p}.attention.self.value`, H, H, g);
    dense(`${p}.attention.output.dense`, H, H, g);
    norm(`${p}.attention.output.LayerNorm`, g);
    dense(`${p}.intermediate.dense`, c.intermediateSize, H, g);
    dense(`${p}.output.dense`, H, c.intermediateSize, g);
    norm(`${p}.output.LayerNorm`, g);
  }
  dense('pooler.dense', H, H, 'pooler');
  return specs;
}

/**
 * Map a checkpoint's tensor name to the `BertModel` name: drop the `bert.` prefix of task models
 * (`BertForMaskedLM`, `BertForSequenceClassification`) and rename the TF-era `gamma`/`beta`.
 */
export function canonicalWeightName(name: string): string {
  let n = name.startsWith('bert.') ? name.slice(5) : name;
  n = n.replace(/\.LayerNorm\.gamma$/, '.LayerNorm.weight').replace(/\.LayerNorm\.beta$/, '.LayerNorm.bias');
  return n;
}
