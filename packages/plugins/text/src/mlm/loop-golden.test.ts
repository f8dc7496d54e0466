import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { env } from '@huggingface/transformers';
import { createRuntime, sha256Hex, trainSession } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { beforeAll, describe, expect, it } from 'vitest';
import { vocabFromTexts } from '../hf/tokenizer-json.js';
import { textPlugin } from '../plugin.js';

/**
 * Behaviour preservation of core's loop for a masked-LM stage: metrics.jsonl (without wall time) and the final
 * weights' digest of a tiny pretraining run, compared to what the loop produced before its decomposition
 * (loop-golden.json). `GRAFT_RECORD_GOLDEN=1` rewrites the file.
 */
const CORPUS = ['the cat', 'a dog', 'my friend'].flatMap((s) => ['sees', 'likes'].flatMap((v) => ['the ball', 'a tree'].map((o) => `${s} ${v} ${o} .`)));
const runtime = createRuntime({ plugins: [strategies, textPlugin] });

beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
});

describe('masked-LM stage in core’s loop', () => {
  it('reproduces its recorded outputs bit for bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-mlm-golden-'));
    writeFileSync(join(dir, 'vocab.txt'), `${vocabFromTexts(CORPUS).join('\n')}\n`);
    writeFileSync(join(dir, 'corpus.jsonl'), CORPUS.map((text) => JSON.stringify({ text })).join('\n'));
    const session = await (
      await runtime.load({
        backend: 'cpu',
        seed: 3,
        source: { use: 'text/bert-init', vocab: join(dir, 'vocab.txt'), layers: 1, hidden: 16, heads: 2, maxLength: 12 },
        tasks: [{ name: 'lm', type: 'masked-lm', data: { use: 'text/jsonl', path: join(dir, 'corpus.jsonl'), maxLength: 12 } }],
        stages: [{ use: 'fine-tune', epochs: 2, lr: 3e-3, batchSize: 4, schedule: 'slanted-triangular' }],
        output: { dir },
      })
    ).open();
    let weights: string;
    try {
      await trainSession(session);
      weights = sha256Hex(new Uint8Array(session.model.weights().flatMap((w) => Array.from(new Uint8Array((w.variable.dataSync() as Float32Array).slice().buffer)))));
    } finally {
      session.dispose();
    }
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const got = { metrics: lines.map(({ seconds: _, ...rest }) => rest), weights };
    const file = join(import.meta.dirname, 'loop-golden.json');
    if (process.env.GRAFT_RECORD_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(got, null, 1)}\n`);
    expect(got).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});
