import * as tf from '@tensorflow/tfjs';
import { GraftError, Rng, scheduleFactor, type HostTensor, type Logger } from '@graft/core/internal';
import type { BertEncoder } from '../bert/encoder.js';
import { maskTokens, type MaskingOptions } from './masking.js';
import type { MlmHead } from './mlm-head.js';

export interface PretrainOptions {
  epochs: number;
  /** @default 16 */
  batchSize?: number;
  /** Adam's peak learning rate. @default 1e-3 */
  lr?: number;
  /**
   * `slanted-triangular`: linear warm-up over the first 10% of steps, then linear decay (BERT's schedule, in
   * ULMFiT's form, ending at lr/32). @default 'constant'
   */
  schedule?: 'constant' | 'slanted-triangular';
  seed: number;
  masking: MaskingOptions;
  log?: Logger;
}

/**
 * Masked-language-model pretraining of a BERT encoder and its MLM head on unlabelled, tokenized text
 * (`input_ids` / `attention_mask` `[N, L]`, e.g. from a text dataset). Each epoch reshuffles and
 * re-masks, as BERT's dynamic masking does (Liu et al. 2019, RoBERTa §4.1). Returns the mean training
 * loss of each epoch.
 */
export async function pretrainMaskedLm(
  encoder: BertEncoder,
  head: MlmHead,
  data: { input_ids: HostTensor; attention_mask: HostTensor },
  options: PretrainOptions,
): Promise<number[]> {
  const [n, L] = data.input_ids.shape as [number, number];
  if (!n || !L) throw new GraftError('GRAFT_DATA_INVALID', { what: 'Masked-LM pretraining needs at least one tokenized text' });
  const batchSize = options.batchSize ?? 16;
  const lr = options.lr ?? 1e-3;
  const optimizer = tf.train.adam(lr);
  const totalSteps = options.epochs * Math.ceil(n / batchSize);
  let step = 0;
  const vars = [...encoder.variables(), ...head.variables()];
  const rng = new Rng(options.seed);
  const ids = data.input_ids.data as Int32Array;
  const mask = data.attention_mask.data as Int32Array;
  const losses: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = rng.permutation(n);
    let total = 0;
    let batches = 0;
    for (let start = 0; start < n; start += batchSize) {
      const rows = Array.from(order.subarray(start, Math.min(n, start + batchSize)));
      const bIds = new Int32Array(rows.length * L);
      const bMask = new Int32Array(rows.length * L);
      rows.forEach((r, i) => {
        bIds.set(ids.subarray(r * L, (r + 1) * L), i * L);
        bMask.set(mask.subarray(r * L, (r + 1) * L), i * L);
      });
      const masked = maskTokens(bIds, bMask, rng, options.masking);
      if (masked.selected === 0) continue;
      const inputIds = tf.tensor2d(masked.inputIds, [rows.length, L], 'int32');
      const attention = tf.tensor2d(bMask, [rows.length, L], 'int32');
      // tfjs's Adam reads its learningRate field at every update.
      (optimizer as unknown as { learningRate: number }).learningRate = lr * scheduleFactor({ name: options.schedule ?? 'constant' }, step++, totalSteps);
      const loss = optimizer.minimize(() => head.loss(inputIds, attention, masked.labels, true, rng), true, vars);
      total += (await loss!.data())[0]!;
      batches++;
      tf.dispose([inputIds, attention, loss!]);
    }
    const mean = total / Math.max(1, batches);
    if (!Number.isFinite(mean)) throw new GraftError('GRAFT_NAN_LOSS', { what: `The masked-LM loss became ${mean} in epoch ${epoch + 1}`, fix: 'Lower `lr`.' });
    losses.push(mean);
    options.log?.info(`mlm epoch ${epoch + 1}/${options.epochs}: loss ${mean.toFixed(4)}`);
  }
  optimizer.dispose();
  return losses;
}

/**
 * The masked-LM loss on fixed, seeded masks with dropout off: a before/after measure. Runs `batchSize`
 * texts at a time: the vocabulary logits of a whole corpus at once would not fit in memory (1,500
 * texts of 64 tokens against a 30,522-word vocabulary is 1.7 GB).
 */
export async function evaluateMaskedLm(
  head: MlmHead,
  data: { input_ids: HostTensor; attention_mask: HostTensor },
  masking: MaskingOptions,
  seed: number,
  batchSize = 64,
): Promise<number> {
  const [n, L] = data.input_ids.shape as [number, number];
  const attention = data.attention_mask.data as Int32Array;
  const masked = maskTokens(data.input_ids.data as Int32Array, attention, new Rng(seed), masking);
  let total = 0;
  let count = 0;
  for (let start = 0; start < n; start += batchSize) {
    const rows = Math.min(batchSize, n - start);
    const labels = masked.labels.subarray(start * L, (start + rows) * L);
    const selected = labels.reduce((c, l) => c + (l >= 0 ? 1 : 0), 0);
    if (selected === 0) continue;
    const loss = tf.tidy(() => {
      const ids = tf.tensor2d(masked.inputIds.subarray(start * L, (start + rows) * L), [rows, L], 'int32');
      const mask = tf.tensor2d(attention.subarray(start * L, (start + rows) * L), [rows, L], 'int32');
      return head.loss(ids, mask, labels, false);
    });
    total += (await loss.data())[0]! * selected;
    count += selected;
    loss.dispose();
  }
  return total / Math.max(1, count);
}
