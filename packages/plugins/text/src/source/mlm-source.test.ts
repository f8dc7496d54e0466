import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AutoTokenizer, env } from '@huggingface/transformers';
import type { SourceContext } from '@graft/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTexts, loadTokenizer } from '../hf/tokenizer.js';
import { sourceContext } from '../test-utils/context.js';
import { BERT_VOCAB } from '../test-utils/paths.js';
import { mlmSource, mlmSourceOptions } from './mlm-source.js';

const SENTENCES = ['the cat sat on the mat', 'a dog ran in the park', 'the bird sang a song', 'my friend read a book', 'the sun rose early', 'a child drew a house'];

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
  dir = mkdtempSync(join(tmpdir(), 'graft-mlm-src-'));
  writeFileSync(join(dir, 'corpus.jsonl'), [...SENTENCES, ...SENTENCES.map((s) => s.toUpperCase())].map((text) => JSON.stringify({ text })).join('\n'));
});

function context(messages: string[]): SourceContext {
  return { ...sourceContext(4), configDir: dir, log: { info: (m) => messages.push(m), warn: (m) => messages.push(m), debug() {} } };
}

describe('text/mlm source', () => {
  it('pretrains once, saves the HF layout, and reuses it on the next run, whatever that run’s seed', async () => {
    const options = mlmSourceOptions.parse({ out: 'mini', corpus: 'corpus.jsonl', hidden: 32, heads: 2, maxLength: 16, epochs: 3, batchSize: 6, lr: 3e-3 });
    const first: string[] = [];
    const trunk = await mlmSource.load(options, context(first));
    expect(first.some((m) => /^text\/mlm: masked-LM loss [\d.]+ → [\d.]+ on \d+ sequences; 0 texts truncated/.test(m))).toBe(true);
    expect(trunk.groups.map((g) => g.name)).toEqual(['embeddings', 'layer.0', 'layer.1']);
    expect(trunk.pooling).toBe('mean');
    const second: string[] = [];
    // Another seed of a `graft compare` fine-tunes the same pretrained model (the pretraining seed is its own option).
    const again = await mlmSource.load(options, { ...context(second), seed: 5 });
    expect(second).toContain(`text/mlm: using the model pretrained earlier in ${join(dir, 'mini')}`);
    const a = trunk.weights().map((w) => w.variable.dataSync());
    again.weights().forEach((w, i) => expect(Array.from(w.variable.dataSync())).toEqual(Array.from(a[i]!)));
    trunk.dispose();
    again.dispose();
  });

  it('refuses `groups` with a file corpus', async () => {
    const options = mlmSourceOptions.parse({ out: 'never', corpus: 'corpus.jsonl', groups: ['spam-1'] });
    await expect(mlmSource.load(options, context([]))).rejects.toThrow('GRAFT_CONFIG_INVALID: `groups` selects SpamAssassin groups, but the corpus is a file at source.groups.');
  });

  it('with the bert-base-uncased vocab, a dataset tokenizing from vocab.txt gives the saved model’s ids', async () => {
    const options = mlmSourceOptions.parse({ out: 'mini-bert-vocab', corpus: 'corpus.jsonl', vocab: BERT_VOCAB, hidden: 32, heads: 2, maxLength: 16, epochs: 1, batchSize: 12 });
    const trunk = await mlmSource.load(options, context([]));
    expect(trunk.config.vocabSize).toBe(30522);
    const fromVocab = encodeTexts(await loadTokenizer(BERT_VOCAB), SENTENCES, 16);
    const fromModel = encodeTexts(await AutoTokenizer.from_pretrained(join(dir, 'mini-bert-vocab')), SENTENCES, 16);
    expect(Array.from(fromVocab.input_ids.data)).toEqual(Array.from(fromModel.input_ids.data));
    trunk.dispose();
  });
});
