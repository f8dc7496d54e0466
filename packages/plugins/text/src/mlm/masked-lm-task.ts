import * as tf from '@tensorflow/tfjs';
import { deriveSeed, GraftError, Rng } from '@graft/core';
import type { HostTensor, NamedVariable, PretextHead, TaskType, Trunk } from '@graft/core';
import { BertTrunk } from '../source/bert-trunk.js';
import { maskTokens, type MaskingOptions } from './masking.js';
import { MlmHead } from './mlm-head.js';

/**
 * The head of a `masked-lm` task: masks each batch of token ids as BERT does, runs the encoder on the
 * corrupted ids and scores the original tokens at the chosen positions with BERT's MLM head (decoder tied
 * to the word embeddings). The masks are drawn from the step's seed, so each epoch re-masks (RoBERTa's
 * dynamic masking, Liu et al. 2019 §4.1) and a resumed run draws the same masks as an uninterrupted one.
 */
export class MaskedLmHead implements PretextHead {
  private readonly head: MlmHead;

  constructor(
    private readonly task: string,
    private readonly trunk: BertTrunk,
    private readonly masking: MaskingOptions,
    rng: Rng,
  ) {
    this.head = new MlmHead(trunk.encoder, rng);
  }

  get variables(): tf.Variable[] {
    return this.head.variables();
  }

  weights(): NamedVariable[] {
    return this.head.weights(`head/${this.task}/`);
  }

  loss(inputs: Record<string, HostTensor>, training: boolean, seed: number): tf.Scalar {
    const { ids, mask, rows, length } = cutRows(inputs, this.trunk.maxLength);
    const masked = maskTokens(ids, mask, new Rng(deriveSeed(seed, 1)), this.masking);
    return tf.tidy(() => {
      const inputIds = tf.tensor2d(masked.inputIds, [rows, length], 'int32');
      const attention = tf.tensor2d(mask, [rows, length], 'int32');
      return this.head.loss(inputIds, attention, masked.labels, training, training ? new Rng(deriveSeed(seed, 2)) : undefined);
    });
  }

  reinitialize(rng: Rng): void {
    this.head.reinitialize(rng);
  }

  dispose(): void {
    this.head.dispose();
  }
}

/** `input_ids` and `attention_mask` as int32 rows, cut to the trunk's `maxLength` positions. */
function cutRows(inputs: Record<string, HostTensor>, maxLength: number): { ids: Int32Array; mask: Int32Array; rows: number; length: number } {
  const ids = inputs.input_ids;
  const mask = inputs.attention_mask;
  if (!ids || !mask || ids.shape.length !== 2 || ids.shape.join() !== mask.shape.join()) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: 'A masked-lm task needs inputs input_ids and attention_mask of one shape [batch, length]',
      fix: 'Use a text dataset (text/jsonl, text/csv, text/spam-assassin) for this task.',
    });
  }
  const [rows, full] = ids.shape as [number, number];
  const length = Math.min(full, maxLength);
  const cut = (t: HostTensor) => {
    const out = new Int32Array(rows * length);
    for (let r = 0; r < rows; r++) for (let j = 0; j < length; j++) out[r * length + j] = t.data[r * full + j]!;
    return out;
  };
  return { ids: cut(ids), mask: cut(mask), rows, length };
}

/**
 * `masked-lm`: self-supervised masked-language modelling of a BERT trunk on the texts of the task's
 * dataset, its labels unread (Devlin et al. 2019 §3.1: 15% of the real tokens chosen; 80% become [MASK],
 * 10% a random token, 10% stay). Trained by the one loop as any stage is; as the first stage of a run whose
 * checkpoint the next run reads through `graft/checkpoint`, it is pretraining; on the target task's own texts
 * before the classifier stages, it is ULMFiT's target-task language-model fine-tuning (Howard & Ruder 2018
 * §3.2). Its one metric is the masked-LM loss on fixed masks.
 */
export const maskedLmTask: TaskType = {
  name: 'masked-lm',
  description: 'Masked-language modelling on the task’s texts (BERT’s 15% masking, 80/10/10); labels are not read.',
  checkTarget: () => undefined,
  headSize: () => 0,
  loss() {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', {
      what: 'masked-lm has no loss over head outputs',
      why: 'its head makes its targets from the inputs (TaskType.pretext), and the loop calls that head’s loss',
    });
  },
  evaluate: () => ({}),
  primaryMetric: { name: 'loss', higherIsBetter: false },
  describePrediction: () => undefined,
  pretext: {
    createHead({ trunk, rng, task, where }: { trunk: Trunk; rng: Rng; task: string; where: string }): MaskedLmHead {
      if (!(trunk instanceof BertTrunk)) {
        throw new GraftError('GRAFT_CONFIG_INVALID', {
          what: 'A masked-lm task needs a BERT trunk',
          where: `${where}.type`,
          fix: 'Use source text/bert, text/bert-init, or a graft/checkpoint of a run that trained one',
        });
      }
      if (!trunk.masking) {
        throw new GraftError('GRAFT_CONFIG_INVALID', {
          what: 'The BERT trunk’s vocabulary has no [MASK] token, so it cannot be trained by masked-LM',
          where: `${where}.type`,
          fix: 'Use a model whose tokenizer has [MASK] (any BERT WordPiece vocabulary)',
        });
      }
      return new MaskedLmHead(task, trunk, { ...trunk.masking, vocabSize: trunk.config.vocabSize }, rng);
    },
  },
};
