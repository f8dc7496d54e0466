import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRuntime } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from './fixture/tiny-bert.js';
import { vocabFromTexts } from './hf/tokenizer-json.js';
import textPlugin from './index.js';

const POSITIVE = ['great movie', 'loved it', 'wonderful acting', 'a great story', 'really wonderful', 'loved the music', 'great fun', 'wonderful and great'];
const NEGATIVE = ['awful movie', 'hated it', 'terrible acting', 'a boring story', 'really awful', 'hated the music', 'boring mess', 'terrible and awful'];

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
  dir = mkdtempSync(join(tmpdir(), 'graft-text-run-'));
  const texts = [...POSITIVE, ...NEGATIVE];
  await writeTinyBert(join(dir, 'bert'), { vocab: vocabFromTexts(texts), hidden: 32, heads: 2, layers: 2, seed: 2 });
  const rows = texts.map((text, i) => JSON.stringify({ text, label: i < POSITIVE.length ? 'pos' : 'neg' }));
  writeFileSync(join(dir, 'train.jsonl'), rows.join('\n'));
});

describe('text/bert in the core training loop', () => {
  it('fine-tunes with gradual unfreezing on a text/jsonl task and the loss falls', async () => {
    const runtime = createRuntime({ plugins: [strategies, textPlugin] });
    const run = await runtime.load({
      backend: 'cpu',
      seed: 1,
      source: { use: 'text/bert', path: join(dir, 'bert'), pooling: 'mean' },
      // No `tokenizer` on the dataset: it tokenizes with the source's.
      tasks: [{ name: 'sentiment', data: { use: 'text/jsonl', path: join(dir, 'train.jsonl'), maxLength: 8, testFraction: 0 } }],
      stages: [
        { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 4 },
        { use: 'gradual-unfreeze', epochs: 8, lr: 0.01, batchSize: 4, discriminative: { factor: 2.6 } },
      ],
      output: { dir: join(dir, 'out') },
    });
    const result = await run.train();
    const losses = result.history.map((h) => h.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    expect(result.final.metrics.sentiment!.accuracy).toBe(1);
  });
});
