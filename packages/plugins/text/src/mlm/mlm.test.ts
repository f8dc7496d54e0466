import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { Rng } from '@graft/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { BertEncoder } from '../bert/encoder.js';
import { initBertWeights } from '../bert/init.js';
import type { BertConfig } from '../bert/config.js';
import { encodeTexts } from '../hf/tokenizer.js';
import { vocabFromTexts } from '../hf/tokenizer-json.js';
import { maxAbsDiff } from '../test-utils/paths.js';
import { maskTokens, type MaskingOptions } from './masking.js';
import { MlmHead } from './mlm-head.js';
import { nodeFileStore } from '@graft/core';

const SUBJECTS = ['the cat', 'a dog', 'the bird', 'my friend'];
const VERBS = ['sees', 'likes', 'finds'];
const OBJECTS = ['the ball', 'a tree', 'some food'];
const CORPUS = SUBJECTS.flatMap((s) => VERBS.flatMap((v) => OBJECTS.map((o) => `${s} ${v} ${o} .`)));

describe('maskTokens', () => {
  it('chooses 15% of real tokens and replaces them 80/10/10, never specials or padding', () => {
    const n = 40_000;
    const ids = Int32Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 2 : i % 50 === 49 ? 0 : 10 + (i % 37)));
    const mask = Int32Array.from(ids, (id) => (id === 0 ? 0 : 1));
    const options: MaskingOptions = { maskId: 4, vocabSize: 100, specialIds: [0, 1, 2, 3, 4] };
    const { inputIds, labels, selected } = maskTokens(ids, mask, new Rng(1), options);
    const real = ids.filter((id) => id >= 10).length;
    expect(selected / real).toBeCloseTo(0.15, 2);
    let masked = 0;
    let random = 0;
    let kept = 0;
    let violations = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i]! < 0) {
        if (inputIds[i] !== ids[i]) violations++;
        continue;
      }
      if (ids[i]! < 10 || labels[i] !== ids[i]) violations++;
      if (inputIds[i] === 4) masked++;
      else if (inputIds[i] === ids[i]) kept++;
      else random++;
    }
    expect(violations).toBe(0);
    // Binomial standard errors on ~5,800 draws are under 0.006; 0.02 leaves room.
    expect(Math.abs(masked / selected - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(random / selected - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(kept / selected - 0.1)).toBeLessThan(0.02);
  });
});

describe('the masked-LM head', () => {
  const vocab = vocabFromTexts(CORPUS);
  let config: BertConfig;
  let encoder: BertEncoder;
  let head: MlmHead;
  let data: ReturnType<typeof encodeTexts>;
  let masking: MaskingOptions;
  let tokDir: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    env.allowRemoteModels = false;
    config = {
      vocabSize: vocab.length,
      hiddenSize: 32,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 64,
      maxPositions: 32,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      padTokenId: 0,
    };
    encoder = new BertEncoder(config, initBertWeights(config, new Rng(4)));
    head = new MlmHead(encoder, new Rng(5));
    tokDir = mkdtempSync(join(tmpdir(), 'graft-mlm-tok-'));
    const { writeBertDirectory } = await import('../hf/write-bert-dir.js');
    await writeBertDirectory(nodeFileStore(), tokDir, { config, weights: await encoder.toHost(), vocab, onnx: false });
    data = encodeTexts(await AutoTokenizer.from_pretrained(tokDir), CORPUS, 16);
    masking = { maskId: vocab.indexOf('[MASK]'), vocabSize: vocab.length, specialIds: [0, 1, 2, 3, 4] };
  });

  it('ties the decoder to the word embeddings', () => {
    const h = tf.randomNormal([3, 32], 0, 1, 'float32', 1) as tf.Tensor2D;
    const before = head.logits(h).dataSync().slice();
    const words = encoder.variable('embeddings.word_embeddings.weight');
    const saved = words.clone();
    words.assign(tf.mul(words, 2));
    expect(maxAbsDiff(head.logits(h).dataSync(), before)).toBeGreaterThan(1e-3);
    words.assign(saved);
    expect(maxAbsDiff(head.logits(h).dataSync(), before)).toBe(0);
    expect(head.variables()).not.toContain(words);
  });

  it('computes the loss as the mean −log softmax of the original tokens at the masked positions (checked in plain JS)', () => {
    const [n, L] = data.input_ids.shape as [number, number];
    const masked = maskTokens(data.input_ids.data as Int32Array, data.attention_mask.data as Int32Array, new Rng(5), masking);
    const ids = tf.tensor2d(masked.inputIds, [n, L], 'int32');
    const mask = tf.tensor2d(data.attention_mask.data as Int32Array, [n, L], 'int32');
    const loss = head.loss(ids, mask, masked.labels, false).dataSync()[0]!;
    const hidden = encoder.forward({ inputIds: ids, attentionMask: mask }).lastHiddenState.reshape([n * L, -1]);
    const positions = [...masked.labels.keys()].filter((i) => masked.labels[i]! >= 0);
    const logits = head.logits(tf.gather(hidden, positions) as tf.Tensor2D).arraySync();
    let total = 0;
    positions.forEach((p, r) => {
      const row = logits[r]!;
      const max = Math.max(...row);
      const logSumExp = max + Math.log(row.reduce((sum, x) => sum + Math.exp(x - max), 0));
      total += logSumExp - row[masked.labels[p]!]!;
    });
    expect(Math.abs(loss - total / positions.length)).toBeLessThan(1e-5 * loss);
    tf.dispose([ids, mask, hidden]);
  });
});
