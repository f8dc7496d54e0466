import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { Head, Rng } from '@graft/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../fixture/tiny-bert.js';
import { vocabFromTexts } from '../hf/tokenizer-json.js';
import { sourceContext } from '../test-utils/context.js';
import { bertSourceOptions } from './bert-source.js';
import { bertSource } from '../plugin.js';
import { exportBertClassifier } from './export-classifier.js';
import { nodeFileStore } from '@graft/core';

const TEXTS = ['win a free prize now', 'see you at lunch tomorrow', 'free money for you', 'the meeting moved to noon'];
const LABELS = ['ham', 'spam', 'unsure'];
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
  dir = mkdtempSync(join(tmpdir(), 'graft-export-src-'));
  await writeTinyBert(dir, { vocab: vocabFromTexts(TEXTS), hidden: 32, heads: 4, layers: 2, seed: 11 });
});

describe('exportBertClassifier', () => {
  for (const pooling of ['cls', 'mean'] as const) {
    it(`gives transformers.js text-classification the same scores as Graft (${pooling} pooling, 2-layer head)`, async () => {
      const trunk = await bertSource.load(bertSourceOptions.parse({ path: dir, pooling }), sourceContext());
      const head = new Head('spam', 32, [8], LABELS.length, 0, new Rng(3));
      // Non-zero biases so a dropped bias would show.
      for (const v of head.variables) if (v.shape.length === 1) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 4));
      const out = mkdtempSync(join(tmpdir(), 'graft-export-'));
      await exportBertClassifier(nodeFileStore(), out, trunk, head, LABELS);

      const tokenizer = await AutoTokenizer.from_pretrained(dir);
      const classify = await pipeline('text-classification', out, { dtype: 'fp32' });
      for (const text of TEXTS) {
        const ids = tokenizer.encode(text);
        const inputs = { input_ids: tf.tensor2d([ids], [1, ids.length], 'int32'), attention_mask: tf.ones([1, ids.length], 'int32') };
        const probs = tf.tidy(() => tf.softmax(head.apply(trunk.apply(inputs, false), false)).dataSync());
        const result = (await classify(text, { top_k: null })) as Array<{ label: string; score: number }>;
        for (const { label, score } of result) expect(score, `${text} / ${label}`).toBeCloseTo(probs[LABELS.indexOf(label)]!, 4);
        const best = LABELS[probs.indexOf(Math.max(...probs))];
        expect(result[0]!.label).toBe(best);
      }
      await classify.dispose();
      trunk.dispose();
      head.dispose();
    });
  }

  it('refuses a head whose outputs do not match the labels', async () => {
    const trunk = await bertSource.load(bertSourceOptions.parse({ path: dir }), sourceContext());
    const head = new Head('spam', 32, [], 2, 0, new Rng(3));
    await expect(exportBertClassifier(nodeFileStore(), mkdtempSync(join(tmpdir(), 'graft-export-')), trunk, head, LABELS)).rejects.toThrow(
      'GRAFT_INVALID_ARGUMENT: The classifier has 2 outputs but 3 labels were given.',
    );
    trunk.dispose();
  });
});
