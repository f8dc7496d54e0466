import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@graft/core';
import type { BertConfig } from './config.js';
import { embeddingLookup } from './embedding.js';
import { initWeight } from './init.js';
import { ATTENTION_MASK_BIAS } from '../onnx/bert-onnx.js';
import { bertWeightSpecs, type BertWeights, type WeightSpec } from './weight-spec.js';

export interface BertInputs {
  /** `[batch, seq]` int32 token ids. */
  inputIds: tf.Tensor2D;
  /** `[batch, seq]` 1 for tokens, 0 for padding. */
  attentionMask: tf.Tensor2D;
  /** `[batch, seq]` segment ids; all zeros when absent. */
  tokenTypeIds?: tf.Tensor2D;
}

export interface BertOutputs {
  /** `[batch, seq, hidden]` */
  lastHiddenState: tf.Tensor3D;
  /** `[batch, hidden]`: tanh(dense([CLS])). */
  poolerOutput: tf.Tensor2D;
}

/**
 * A trainable BERT encoder (Devlin et al. 2019) in tfjs: embeddings (word + position + token type,
 * LayerNorm), L post-LN transformer layers (multi-head self-attention, feed-forward with exact GELU),
 * and the pooler. Weights are `tf.Variable`s in Hugging Face layout (dense `[out, in]`), keyed by
 * their `BertModel` names so they load from and save to HF checkpoints without renaming.
 */
export class BertEncoder {
  readonly config: BertConfig;
  readonly specs: readonly WeightSpec[];
  private readonly vars = new Map<string, tf.Variable>();

  constructor(config: BertConfig, weights: BertWeights) {
    this.config = config;
    this.specs = bertWeightSpecs(config);
    for (const spec of this.specs) {
      const w = weights.get(spec.name);
      if (!w) throw new Error(`BertEncoder: weight ${spec.name} is missing`);
      this.vars.set(spec.name, tf.variable(tf.tensor(w.data, spec.shape, 'float32'), true));
    }
  }

  /** The variable holding `name` (a `BertModel` weight name). */
  variable(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`BertEncoder has no weight ${name}`);
    return v;
  }

  /** Names in Hugging Face order, input → output. */
  names(): string[] {
    return this.specs.map((s) => s.name);
  }

  /** Copy the current weights to the host (for saving). */
  async toHost(): Promise<BertWeights> {
    const out: BertWeights = new Map();
    for (const spec of this.specs) out.set(spec.name, { shape: spec.shape, data: (await this.variable(spec.name).data()) as Float32Array });
    return out;
  }

  /** Re-initialise every weight as BERT does (normal std 0.02; LayerNorm 1/0; biases 0). */
  reinitialize(rng: Rng): void {
    for (const spec of this.specs) this.variable(spec.name).assign(tf.tensor(initWeight(spec, rng), spec.shape, 'float32'));
  }

  /**
   * The forward pass. With `training`, dropout is applied with the config's rates and seeds drawn from
   * `rng` (so a seeded run is reproducible).
   */
  forward(inputs: BertInputs, training = false, rng?: Rng): BertOutputs {
    return tf.tidy(() => {
      const [batch, seq] = inputs.inputIds.shape;
      const H = this.config.hiddenSize;
      const embedded = this.embed(inputs.inputIds, inputs.tokenTypeIds, training, rng);
      const hidden = this.encode(embedded, inputs.attentionMask, 0, this.config.numLayers, training, rng);
      const lastHiddenState = tf.reshape(hidden, [batch, seq, H]) as tf.Tensor3D;
      return { lastHiddenState, poolerOutput: this.pool(lastHiddenState) };
    });
  }

  /** Embeddings (word + position + token type, LayerNorm, dropout): `[batch·seq, hidden]`. */
  embed(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D | undefined, training: boolean, rng?: Rng): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, seq] = inputIds.shape;
      const H = this.config.hiddenSize;
      const v = (n: string) => this.variable(n) as tf.Tensor2D;
      const ids = tf.cast(inputIds, 'int32');
      const types = tokenTypeIds ? tf.cast(tokenTypeIds, 'int32') : tf.zerosLike(ids);
      const words = embeddingLookup(v('embeddings.word_embeddings.weight'), tf.reshape(ids, [-1]) as tf.Tensor1D);
      const typeEmb = embeddingLookup(v('embeddings.token_type_embeddings.weight'), tf.reshape(types, [-1]) as tf.Tensor1D);
      const positions = tf.tile(tf.slice(v('embeddings.position_embeddings.weight'), [0, 0], [seq, H]), [batch, 1]);
      const sum = tf.add(tf.add(words, typeEmb), positions) as tf.Tensor2D;
      return this.dropout(this.layerNorm(sum, 'embeddings.LayerNorm'), this.config.hiddenDropout, training, rng);
    });
  }

  /**
   * Encoder layers `[from, to)` on hidden states `[batch·seq, hidden]` (post-LN, as BERT): self-attention
   * with the mask as an additive bias, then the GELU feed-forward, each with a residual and LayerNorm.
   */
  encode(hidden: tf.Tensor2D, attentionMask: tf.Tensor2D, from: number, to: number, training: boolean, rng?: Rng): tf.Tensor2D {
    return tf.tidy(() => {
      const c = this.config;
      const [batch, seq] = attentionMask.shape;
      const H = c.hiddenSize;
      const heads = c.numHeads;
      const headDim = H / heads;
      const mask = tf.cast(attentionMask, 'float32');
      const maskBias = tf.reshape(tf.mul(tf.sub(1, mask), ATTENTION_MASK_BIAS), [batch, 1, 1, seq]);
      const split = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [batch, seq, heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
      const scale = Math.sqrt(headDim);
      let h = hidden;
      for (let l = from; l < to; l++) {
        const p = `encoder.layer.${l}`;
        const q = split(this.dense(h, `${p}.attention.self.query`));
        const k = split(this.dense(h, `${p}.attention.self.key`));
        const val = split(this.dense(h, `${p}.attention.self.value`));
        const scores = tf.add(tf.div(tf.matMul(q, k, false, true), scale), maskBias);
        const probs = this.dropout(tf.softmax(scores, -1), c.attentionDropout, training, rng);
        const context = tf.reshape(tf.transpose(tf.matMul(probs, val), [0, 2, 1, 3]), [batch * seq, H]) as tf.Tensor2D;
        const attn = this.dropout(this.dense(context, `${p}.attention.output.dense`), c.hiddenDropout, training, rng);
        const attended = this.layerNorm(tf.add(attn, h), `${p}.attention.output.LayerNorm`);
        const inner = this.dense(attended, `${p}.intermediate.dense`);
        // Exact GELU: 0.5 · x · (1 + erf(x / √2)) (Hendrycks & Gimpel 2016), as BERT uses.
        const gelu = tf.mul(tf.mul(inner, 0.5), tf.add(1, tf.erf(tf.div(inner, Math.SQRT2)))) as tf.Tensor2D;
        const out = this.dropout(this.dense(gelu, `${p}.output.dense`), c.hiddenDropout, training, rng);
        h = this.layerNorm(tf.add(out, attended), `${p}.output.LayerNorm`);
      }
      return h;
    });
  }

  /** BERT's pooler: tanh(dense(hidden state of [CLS])): `[batch, hidden]`. */
  pool(lastHiddenState: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, , H] = lastHiddenState.shape;
      const cls = tf.reshape(tf.slice(lastHiddenState, [0, 0, 0], [batch, 1, H]), [batch, H]) as tf.Tensor2D;
      return tf.tanh(this.dense(cls, 'pooler.dense'));
    });
  }

  private dense(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.variable(`${prefix}.weight`), false, true), this.variable(`${prefix}.bias`));
  }

  private layerNorm(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.config.layerNormEps)));
    return tf.add(tf.mul(normed, this.variable(`${prefix}.weight`)), this.variable(`${prefix}.bias`));
  }

  private dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, rng?: Rng): T {
    return training && rate > 0 ? (tf.dropout(x, rate, undefined, rng ? rng.seed() : undefined) as T) : x;
  }

  /** Every weight in Hugging Face order. */
  variables(): tf.Variable[] {
    return this.specs.map((s) => this.variable(s.name));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** Mean of the hidden states over non-padding positions: `[batch, hidden]`. */
export function meanPool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const mask = tf.expandDims(tf.cast(attentionMask, 'float32'), -1);
    const sum = tf.sum(tf.mul(hidden, mask), 1);
    return tf.div(sum, tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor2D;
  });
}
