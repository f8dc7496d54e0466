import * as tf from '@tensorflow/tfjs';
import { Rng } from '@graft/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { BertTrunk } from '../source/bert-trunk.js';
import type { BertConfig } from './config.js';
import { initBertWeights } from './init.js';

const config: BertConfig = {
  vocabSize: 20,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 8,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenDropout: 0.3,
  attentionDropout: 0.3,
  padTokenId: 0,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BERT trunk dropout stream', () => {
  it('is part of the checkpointed state: restoring it replays the same dropout masks', () => {
    const trunk = new BertTrunk(config, initBertWeights(config, new Rng(1)), { seed: 3 });
    const inputs = { input_ids: tf.tensor2d([[2, 5, 7, 9, 1, 0]], [1, 6], 'int32'), attention_mask: tf.tensor2d([[1, 1, 1, 1, 1, 0]], [1, 6], 'int32') };
    const forward = () => tf.tidy(() => Array.from(trunk.apply(inputs, true).dataSync()));
    forward(); // advance the stream, as earlier training steps do
    const saved = trunk.randomState();
    const first = forward();
    const second = forward();
    expect(second).not.toEqual(first); // fresh masks each step
    trunk.restoreRandomState(saved);
    expect(forward()).toEqual(first);
    tf.dispose(Object.values(inputs));
    trunk.dispose();
  });
});
