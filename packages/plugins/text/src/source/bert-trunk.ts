import * as tf from '@tensorflow/tfjs';
import { GraftError, Rng } from '@graft/core';
import type { FileStore, LayerGroup, NamedVariable, Trunk } from '@graft/core';
import type { BertConfig } from '../bert/config.js';
import { BertEncoder, meanPool } from '../bert/encoder.js';
import type { BertWeights } from '../bert/weight-spec.js';
import type { ModelFolder } from '../hf/model-folder.js';
import { writeBertDirectory, type WriteBertOptions } from '../hf/write-bert-dir.js';
import type { MaskingTokens } from '../mlm/special-tokens.js';

export type Pooling = 'cls' | 'mean';

/** Core's `TrunkSplit` (not yet exported from `@graft/core`'s index), structurally. */
export interface BertTrunkSplit {
  prefix(inputs: Record<string, tf.Tensor>): tf.Tensor;
  suffix(activations: tf.Tensor, training: boolean): tf.Tensor2D;
}

export interface BertTrunkOptions {
  /** `cls`: BERT's pooler (tanh(dense([CLS]))); `mean`: the mean of the last hidden states over real tokens. @default 'cls' */
  pooling?: Pooling;
  /** Longer inputs are cut to this many positions. @default config.maxPositions */
  maxLength?: number;
  /** Seeds dropout. @default 0 */
  seed?: number;
  /** The folder the model came from; `save` copies its tokenizer files. */
  modelFolder?: ModelFolder;
  /** The WordPiece vocabulary, for a model with no directory of its own (`text/bert-init`); `save` writes it. */
  vocab?: readonly string[];
  /** [MASK] and the special ids of the vocabulary: what a `masked-lm` task needs. Absent: not trainable by masked-LM. */
  masking?: MaskingTokens;
}

/**
 * A BERT encoder as Graft's shared trunk. Groups run input → output: `embeddings`, `layer.0` …
 * `layer.{L-1}`, `pooler` (with `mean` pooling the pooler is unused and not a group, so it is never
 * trained; it stays in `weights()` so checkpoints keep it).
 */
export class BertTrunk implements Trunk {
  readonly encoder: BertEncoder;
  readonly groups: readonly LayerGroup[];
  readonly featureSize: number;
  readonly inputNames = ['input_ids', 'attention_mask'] as const;
  readonly pooling: Pooling;
  readonly maxLength: number;
  readonly masking?: MaskingTokens;
  private readonly rng: Rng;
  private readonly modelFolder?: ModelFolder;
  private readonly vocab?: readonly string[];

  constructor(config: BertConfig, weights: BertWeights, options: BertTrunkOptions = {}) {
    this.encoder = new BertEncoder(config, weights);
    this.pooling = options.pooling ?? 'cls';
    this.maxLength = options.maxLength ?? config.maxPositions;
    this.featureSize = config.hiddenSize;
    this.rng = new Rng(options.seed ?? 0);
    this.modelFolder = options.modelFolder;
    this.vocab = options.vocab;
    this.masking = options.masking;
    const byGroup = new Map<string, tf.Variable[]>();
    for (const spec of this.encoder.specs) {
      if (this.pooling === 'mean' && spec.group === 'pooler') continue;
      const list = byGroup.get(spec.group) ?? [];
      list.push(this.encoder.variable(spec.name));
      byGroup.set(spec.group, list);
    }
    this.groups = [...byGroup].map(([name, variables]) => ({ name, variables }));
  }

  /** Dropout draws from this stream; checkpoints store its state (exact resume). */
  randomState(): number {
    return this.rng.state;
  }

  restoreRandomState(state: number): void {
    this.rng.state = state;
  }

  get config(): BertConfig {
    return this.encoder.config;
  }

  preprocess(inputs: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    return inputs;
  }

  apply(inputs: Record<string, tf.Tensor>, training: boolean): tf.Tensor2D {
    const ids = inputs.input_ids;
    const mask = inputs.attention_mask;
    if (!ids || !mask || ids.rank !== 2 || mask.shape.join() !== ids.shape.join()) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: 'text/bert needs inputs input_ids and attention_mask of one shape [batch, length]',
        why: `got ${Object.entries(inputs)
          .map(([k, v]) => `${k} [${v.shape.join(', ')}]`)
          .join(', ')}`,
        fix: 'Use a text dataset (text/jsonl, text/csv, text/spam-assassin) tokenized with this model’s tokenizer.',
      });
    }
    return tf.tidy(() => {
      const { ids: inputIds, mask: attentionMask } = this.cut({ input_ids: ids, attention_mask: mask });
      const out = this.encoder.forward({ inputIds, attentionMask }, training, training ? this.rng : undefined);
      return this.pooling === 'cls' ? out.poolerOutput : meanPool(out.lastHiddenState, attentionMask);
    });
  }

  /** The ids and mask, cut to `maxLength` positions; an error if the model has fewer positions. */
  private cut(inputs: Record<string, tf.Tensor>): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
    const ids = inputs.input_ids as tf.Tensor2D;
    const mask = inputs.attention_mask as tf.Tensor2D;
    const length = Math.min(ids.shape[1]!, this.maxLength);
    if (length > this.config.maxPositions) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Inputs of ${length} tokens exceed the model's ${this.config.maxPositions} positions`,
        fix: `Set the dataset's maxLength to at most ${this.config.maxPositions}.`,
      });
    }
    const cut = (t: tf.Tensor2D) => (t.shape[1] === length ? t : (tf.slice(t, [0, 0], [-1, length]) as tf.Tensor2D));
    return { ids: cut(ids), mask: cut(mask) };
  }

  /**
   * Cut before group `boundary` so a frozen prefix's output can be cached. The activations are the
   * hidden states entering that group with the attention mask appended as one more channel,
   * `[batch, seq, hidden + 1]`, since the remaining layers need the mask too. Exact: the prefix runs in
   * inference mode (no dropout), as a frozen part does.
   */
  split(boundary: number): BertTrunkSplit | undefined {
    const layers = this.config.numLayers;
    if (!Number.isInteger(boundary) || boundary < 1 || boundary > layers + 1) return undefined;
    const H = this.config.hiddenSize;
    const frozenLayers = boundary - 1;
    return {
      prefix: (inputs) =>
        tf.tidy(() => {
          const { ids, mask } = this.cut(inputs);
          const [batch, seq] = ids.shape;
          const hidden = this.encoder.encode(this.encoder.embed(ids, undefined, false), mask, 0, frozenLayers, false);
          return tf.concat([tf.reshape(hidden, [batch, seq, H]), tf.expandDims(tf.cast(mask, 'float32'), -1)], 2);
        }),
      suffix: (activations, training) =>
        tf.tidy(() => {
          const [batch, seq] = activations.shape as [number, number, number];
          const hidden = tf.reshape(tf.slice(activations, [0, 0, 0], [batch, seq, H]), [batch * seq, H]) as tf.Tensor2D;
          const mask = tf.reshape(tf.slice(activations, [0, 0, H], [batch, seq, 1]), [batch, seq]) as tf.Tensor2D;
          const rng = training ? this.rng : undefined;
          const out = tf.reshape(this.encoder.encode(hidden, mask, frozenLayers, layers, training, rng), [batch, seq, H]) as tf.Tensor3D;
          return this.pooling === 'cls' ? this.encoder.pool(out) : meanPool(out, mask);
        }),
    };
  }

  weights(): NamedVariable[] {
    return this.encoder.specs.map((s) => ({ key: s.name, variable: this.encoder.variable(s.name) }));
  }

  reinitialize(rng: Rng): void {
    this.encoder.reinitialize(rng);
  }

  /**
   * Write the current weights in the Hugging Face layout (config, tokenizer copied from the source
   * folder, `model.safetensors`, `onnx/model.onnx`) into folder `dir` of `files`, so transformers.js and
   * `text/bert` load them.
   */
  async save(files: FileStore, dir: string, classifier?: WriteBertOptions['classifier']): Promise<void> {
    const tokenizer = this.modelFolder ? { tokenizerFrom: this.modelFolder } : this.vocab ? { vocab: this.vocab } : undefined;
    if (!tokenizer) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: 'This BERT trunk does not know its tokenizer, so it cannot be saved' });
    }
    await writeBertDirectory(files, dir, { config: this.config, weights: await this.encoder.toHost(), ...tokenizer, classifier });
  }

  dispose(): void {
    this.encoder.dispose();
  }
}
