import * as tf from '@tensorflow/tfjs';
import type { NamedVariable, Rng } from '@graft/core';
import type { BertEncoder } from '../bert/encoder.js';
import { embeddingLookup } from '../bert/embedding.js';
import { initWeight } from '../bert/init.js';
import type { BertWeights, WeightSpec } from '../bert/weight-spec.js';

/**
 * BERT's masked-LM head (`cls.predictions` in Hugging Face): dense + GELU + LayerNorm, then a decoder
 * whose weight is the encoder's word-embedding matrix (tied, as in BERT) plus an output bias.
 */
export class MlmHead {
  readonly specs: WeightSpec[];
  private readonly vars = new Map<string, tf.Variable>();

  constructor(
    readonly encoder: BertEncoder,
    rng: Rng,
    weights?: BertWeights,
  ) {
    const H = encoder.config.hiddenSize;
    const V = encoder.config.vocabSize;
    this.specs = [
      { name: 'cls.predictions.transform.dense.weight', shape: [H, H], kind: 'dense', group: 'mlm' },
      { name: 'cls.predictions.transform.dense.bias', shape: [H], kind: 'bias', group: 'mlm' },
      { name: 'cls.predictions.transform.LayerNorm.weight', shape: [H], kind: 'norm-scale', group: 'mlm' },
      { name: 'cls.predictions.transform.LayerNorm.bias', shape: [H], kind: 'norm-shift', group: 'mlm' },
      { name: 'cls.predictions.bias', shape: [V], kind: 'bias', group: 'mlm' },
    ];
    for (const spec of this.specs) {
      const given = weights?.get(spec.name);
      const data = given && given.shape.join() === spec.shape.join() ? given.data : initWeight(spec, rng);
      this.vars.set(spec.name, tf.variable(tf.tensor(data, spec.shape, 'float32'), true));
    }
  }

  /** The head's own variables (the decoder weight is the encoder's word embeddings). */
  variables(): tf.Variable[] {
    return this.specs.map((s) => this.vars.get(s.name)!);
  }

  /** The head's weights under `prefix` + their Hugging Face names, for Graft's checkpoints. */
  weights(prefix: string): NamedVariable[] {
    return this.specs.map((s) => ({ key: `${prefix}${s.name}`, variable: this.vars.get(s.name)! }));
  }

  /** Fresh weights, initialised as BERT initialises them. */
  reinitialize(rng: Rng): void {
    for (const spec of this.specs) tf.tidy(() => this.vars.get(spec.name)!.assign(tf.tensor(initWeight(spec, rng), spec.shape, 'float32')));
  }

  /** Vocabulary logits `[N, vocab]` for hidden states `[N, hidden]`. */
  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const v = (n: string) => this.vars.get(n)!;
      const dense = tf.add(tf.matMul(hidden, v('cls.predictions.transform.dense.weight'), false, true), v('cls.predictions.transform.dense.bias'));
      const gelu = tf.mul(tf.mul(dense, 0.5), tf.add(1, tf.erf(tf.div(dense, Math.SQRT2))));
      const { mean, variance } = tf.moments(gelu, -1, true);
      const normed = tf.div(tf.sub(gelu, mean), tf.sqrt(tf.add(variance, this.encoder.config.layerNormEps)));
      const t = tf.add(tf.mul(normed, v('cls.predictions.transform.LayerNorm.weight')), v('cls.predictions.transform.LayerNorm.bias'));
      const words = this.encoder.variable('embeddings.word_embeddings.weight');
      return tf.add(tf.matMul(t, words, false, true), v('cls.predictions.bias')) as tf.Tensor2D;
    });
  }

  /**
   * Mean cross-entropy of the original tokens at the chosen positions of a masked batch; only those
   * rows go through the vocabulary projection, which is most of the cost.
   */
  loss(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, labels: Int32Array, training: boolean, rng?: Rng): tf.Scalar {
    const positions: number[] = [];
    const targets: number[] = [];
    labels.forEach((l, i) => {
      if (l >= 0) {
        positions.push(i);
        targets.push(l);
      }
    });
    return tf.tidy(() => {
      if (positions.length === 0) return tf.scalar(0);
      const H = this.encoder.config.hiddenSize;
      const hidden = this.encoder.forward({ inputIds, attentionMask }, training, rng).lastHiddenState;
      const chosen = embeddingLookup(tf.reshape(hidden, [-1, H]) as tf.Tensor2D, tf.tensor1d(positions, 'int32'));
      const logits = this.logits(chosen);
      // −log p(target), picked as rows of the flattened log-probabilities so the gradient is one scatter,
      // not a one-hot matrix the size of the logits. logSoftmax has a fused gradient; logSumExp's would
      // also differentiate through its max, an [N, vocab] comparison that cancels out and costs half a step.
      const V = this.encoder.config.vocabSize;
      const flat = Int32Array.from(targets, (t, i) => i * V + t);
      const logProbs = tf.reshape(tf.logSoftmax(logits), [-1, 1]) as tf.Tensor2D;
      const picked = embeddingLookup(logProbs, tf.tensor1d(flat, 'int32'));
      return tf.neg(tf.mean(picked)) as tf.Scalar;
    });
  }

  /** The head's weights on the host, under their Hugging Face names. */
  async toHost(): Promise<BertWeights> {
    const out: BertWeights = new Map();
    for (const s of this.specs) out.set(s.name, { shape: s.shape, data: (await this.vars.get(s.name)!.data()) as Float32Array });
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
