import type { Rng } from '@graft/core';

export interface MaskingOptions {
  /** Share of real (non-special, non-padding) tokens chosen for prediction. @default 0.15 */
  probability?: number;
  /** Id of [MASK]. */
  maskId: number;
  vocabSize: number;
  /** Ids never chosen and never drawn as random replacements ([CLS], [SEP], [PAD], ...). */
  specialIds: readonly number[];
}

export interface MaskedBatch {
  /** The corrupted ids the model reads. */
  inputIds: Int32Array;
  /** The original id at chosen positions, -1 elsewhere. */
  labels: Int32Array;
  /** How many positions were chosen. */
  selected: number;
}

/**
 * BERT's masked-language-model corruption (Devlin et al. 2019, §3.1): each real token is chosen with
 * probability 0.15; a chosen token becomes [MASK] 80% of the time, a random token 10%, and stays
 * unchanged 10%. The model predicts the original token at every chosen position.
 */
export function maskTokens(ids: Int32Array, attentionMask: Int32Array, rng: Rng, options: MaskingOptions): MaskedBatch {
  const p = options.probability ?? 0.15;
  const special = new Set(options.specialIds);
  const replacements: number[] = [];
  for (let id = 0; id < options.vocabSize; id++) if (!special.has(id)) replacements.push(id);
  const inputIds = ids.slice();
  const labels = new Int32Array(ids.length).fill(-1);
  let selected = 0;
  for (let i = 0; i < ids.length; i++) {
    if (attentionMask[i] === 0 || special.has(ids[i]!)) continue;
    if (rng.next() >= p) continue;
    selected++;
    labels[i] = ids[i]!;
    const r = rng.next();
    if (r < 0.8) inputIds[i] = options.maskId;
    else if (r < 0.9) inputIds[i] = replacements[rng.int(replacements.length)]!;
  }
  return { inputIds, labels, selected };
}
