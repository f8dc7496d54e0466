import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { env } from '@huggingface/transformers';
import { createRuntime, loadCheckpoint, trainSession, type HistoryEntry } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { beforeAll, describe, expect, it } from 'vitest';
import { vocabFromTexts } from '../hf/tokenizer-json.js';
import { textPlugin } from '../plugin.js';

const SUBJECTS = ['the cat', 'a dog', 'the bird', 'my friend'];
const VERBS = ['sees', 'likes', 'finds'];
const OBJECTS = ['the ball', 'a tree', 'some food'];
const CORPUS = SUBJECTS.flatMap((s) => VERBS.flatMap((v) => OBJECTS.map((o) => `${s} ${v} ${o} .`)));

const runtime = createRuntime({ plugins: [strategies, textPlugin] });
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
  dir = mkdtempSync(join(tmpdir(), 'graft-masked-lm-'));
  writeFileSync(join(dir, 'vocab.txt'), `${vocabFromTexts(CORPUS).join('\n')}\n`);
  // Unlabelled texts: the task reads no label.
  writeFileSync(join(dir, 'corpus.jsonl'), CORPUS.map((text) => JSON.stringify({ text })).join('\n'));
});

function config(out: string, epochs: number) {
  return {
    backend: 'cpu',
    seed: 3,
    source: { use: 'text/bert-init', vocab: join(dir, 'vocab.txt'), layers: 1, hidden: 32, heads: 2, maxLength: 16 },
    tasks: [{ name: 'lm', type: 'masked-lm', data: { use: 'text/jsonl', path: join(dir, 'corpus.jsonl'), maxLength: 16 } }],
    stages: [{ use: 'fine-tune', epochs, lr: 3e-3, batchSize: 8, schedule: 'slanted-triangular' }],
    output: { dir: out },
  };
}

async function train(cfg: Record<string, unknown>, options: Parameters<typeof trainSession>[1] = {}) {
  const session = await (await runtime.load(cfg)).open();
  try {
    const outcome = await trainSession(session, options);
    return { outcome, weights: session.model.weights().map((w) => ({ key: w.key, values: Array.from(w.variable.dataSync()) })) };
  } finally {
    session.dispose();
  }
}

describe('masked-lm task', () => {
  it('trains a BERT from its initialisation in core’s loop: the masked-LM loss falls; the checkpoint is a source', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-mlm-run-'));
    const { outcome, weights } = await train(config(out, 8));
    const losses = outcome.history.map((h) => h.loss);
    console.log(`masked-lm: epoch losses ${losses.map((l) => l.toFixed(2)).join(' ')}; final ${JSON.stringify(outcome.final)}`);
    // A fresh model predicts about uniformly over the vocabulary: ln(vocab) ≈ 4.
    expect(losses[0]!).toBeGreaterThan(3);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 1);
    expect(outcome.final.metrics.lm!.loss as number).toBeLessThan(losses[0]! - 1);
    // The MLM head is part of the model, so the checkpoint holds it and a resume restores it.
    expect(weights.some((w) => w.key === 'head/lm/cls.predictions.bias')).toBe(true);

    // The next run reads the pretrained trunk through graft/checkpoint, the MLM head left behind.
    writeFileSync(join(dir, 'labelled.jsonl'), CORPUS.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'a' : 'b' })).join('\n'));
    const transfer = {
      ...config(mkdtempSync(join(tmpdir(), 'graft-mlm-run-')), 1),
      source: { use: 'graft/checkpoint', path: join(out, 'checkpoint.graft') },
      tasks: [{ name: 'label', data: { use: 'text/jsonl', path: join(dir, 'labelled.jsonl'), maxLength: 16, tokenizer: join(dir, 'vocab.txt') } }],
    };
    const session = await (await runtime.load(transfer)).open();
    const loaded = session.model.trunk.weights().map((w) => ({ key: w.key, values: Array.from(w.variable.dataSync()) }));
    session.dispose();
    expect(loaded).toEqual(weights.filter((w) => !w.key.startsWith('head/')));
  });

  it('resumes a pretraining stage from its checkpoint bit-identically', async () => {
    const straight = await train(config(mkdtempSync(join(tmpdir(), 'graft-mlm-run-')), 4));
    const out = mkdtempSync(join(tmpdir(), 'graft-mlm-run-'));
    const cfg = config(out, 4);
    await expect(
      train(cfg, {
        callbacks: {
          onEpochEnd: (e: HistoryEntry) => {
            if (e.epoch === 1) throw new Error('interrupted');
          },
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(loadCheckpoint(join(out, 'checkpoint.graft')).position).toEqual({ stage: 0, epoch: 1, stageDone: false });
    const resumed = await train(cfg, { resume: true });
    expect(resumed.outcome.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    expect(resumed.outcome.history.map((h) => h.loss)).toEqual(straight.outcome.history.map((h) => h.loss));
    expect(resumed.weights).toEqual(straight.weights);
  });

  it('runs ULMFiT’s target-task LM stage before the classifier in one config: the LM loss falls, the classifier head rests', async () => {
    writeFileSync(join(dir, 'target.jsonl'), CORPUS.map((text) => JSON.stringify({ text, label: text.includes('cat') || text.includes('dog') ? 'pet' : 'other' })).join('\n'));
    // testFraction 0: every text is a training text (the point is that the LM reads all of them).
    const data = { use: 'text/jsonl', path: join(dir, 'target.jsonl'), maxLength: 16, tokenizer: join(dir, 'vocab.txt'), testFraction: 0 };
    const cfg = {
      ...config(mkdtempSync(join(tmpdir(), 'graft-mlm-run-')), 1),
      tasks: [
        // Few labels for the classifier (as `graft compare --per-class` sets on every task); every training
        // text, unlabelled, for the language model.
        { name: 'pet', data: { ...data, perClass: 3 } },
        { name: 'lm', type: 'masked-lm', data: { ...data, perClass: 3 } },
      ],
      stages: [
        { use: 'fine-tune', tasks: ['lm'], epochs: 6, lr: 3e-3, batchSize: 8 },
        { use: 'fine-tune', tasks: ['pet'], epochs: 2, lr: 1e-3, batchSize: 8 },
      ],
    };
    const session = await (await runtime.load(cfg)).open();
    expect(session.data.groups.map((g) => [g.tasks.map((t) => t.name), g.dataset.train.size])).toEqual([[['pet'], 6], [['lm'], CORPUS.length]]);
    const head = () => session.model.heads.get('pet')!.variables.map((v) => Array.from(v.dataSync()));
    const initial = head();
    const heads: number[][][] = [];
    const outcome = await trainSession(session, { callbacks: { onEpochEnd: (e: HistoryEntry) => void (e.stage === 0 && heads.push(head())) } });
    const final = head();
    session.dispose();
    const lm = outcome.history.filter((h) => h.stage === 0);
    console.log(`target-task LM: epoch losses ${lm.map((h) => h.loss.toFixed(2)).join(' ')}`);
    expect(lm.map((h) => Object.keys(h.taskLosses))).toEqual(lm.map(() => ['lm']));
    expect(lm.at(-1)!.loss).toBeLessThan(lm[0]!.loss - 0.5);
    expect(heads.every((h) => JSON.stringify(h) === JSON.stringify(initial))).toBe(true);
    expect(final).not.toEqual(initial);
    expect(outcome.history.filter((h) => h.stage === 1).map((h) => Object.keys(h.taskLosses))).toEqual([['pet'], ['pet']]);
    expect(Object.keys(outcome.final.metrics).sort()).toEqual(['lm', 'pet']);
  });

  it('refuses a stage that names a task the config does not have', async () => {
    const cfg = { ...config(mkdtempSync(join(tmpdir(), 'graft-mlm-run-')), 1), stages: [{ use: 'fine-tune', tasks: ['ml'] }] };
    await expect(runtime.load(cfg)).rejects.toThrow(
      'GRAFT_CONFIG_INVALID: Stage 0 trains task "ml", which the config does not define at stages[0].tasks[0] in <config>. Valid choices: lm. Did you mean "lm"?',
    );
  });
});
