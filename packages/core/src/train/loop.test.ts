import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, loadCheckpoint, type HistoryEntry } from '../internal.js';
import { definePlugin } from '../plugins/define.js';
import { GRAFT_VERSION } from '../version.js';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';

/**
 * A loss weighting whose combined loss is the sum plus √(0·sum): the same finite value, gradients NaN (∞·0),
 * what a clamping activation does with a NaN input on wasm.
 */
const nanGradient = definePlugin({
  meta: { name: 'nan-gradient-test', version: '0.0.0', graft: GRAFT_VERSION },
  weightings: [
    {
      name: 'nan-gradient-test/nan-gradient',
      description: 'Finite loss, NaN gradients (tests).',
      options: z.strictObject({}),
      create: ({ tasks }) => ({
        kind: 'loss' as const,
        combine: (losses: tf.Scalar[]) => tf.tidy(() => {
          const total = tf.addN(losses);
          return tf.add(total, tf.sqrt(tf.mul(total, 0))) as tf.Scalar;
        }),
        currentWeights: () => tasks.map(() => 1),
      }),
    },
  ],
});

const runtime = createRuntime({ plugins: [strategies, testingPlugin, nanGradient] });

function config(dir: string, stages: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return {
    backend: 'cpu',
    seed: 3,
    source: { use: 'testing/tiny-conv', seed: 1 },
    tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 48, test: 24 } }],
    stages,
    output: { dir },
    ...extra,
  };
}

async function weightsAfter(cfg: Record<string, unknown>, resume = false) {
  const run = await runtime.load(cfg);
  const session = await run.open();
  const { trainSession } = await import('../internal.js');
  const outcome = await trainSession(session, { resume });
  const weights = session.model.weights().map((w) => Array.from(w.variable.dataSync()));
  session.dispose();
  return { outcome, weights };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the training loop', () => {
  it('trains for real: the loss falls and test accuracy beats chance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const run = await runtime.load(config(dir, [{ use: 'fine-tune', epochs: 6, lr: 0.01, batchSize: 8 }]));
    const result = await run.train();
    const losses = result.history.map((h) => h.loss);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.7);
    expect(result.final.metrics.strokes!.accuracy as number).toBeGreaterThan(0.5);
  });

  it('is deterministic: the same config and seed give bit-identical weights on cpu', async () => {
    const stages = [{ use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 16 }];
    const a = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages));
    const b = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages));
    expect(a.weights).toEqual(b.weights);
  });

  it('resumes exactly: 4 epochs straight equal 2 epochs, then resume for 2 more', async () => {
    const stages = (epochs: number) => [
      { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 16 },
      { use: 'fine-tune', epochs, lr: 0.005, batchSize: 16, discriminative: { factor: 2 } },
    ];
    const straight = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages(4)));

    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const full = config(dir, stages(4));
    // Interrupt after 2 epochs of the second stage: stop the process by throwing from a callback.
    const run = await runtime.load(full);
    const session = await run.open();
    const { trainSession } = await import('../internal.js');
    let seen = 0;
    await expect(
      trainSession(session, {
        callbacks: {
          onEpochEnd: (e: HistoryEntry) => {
            seen += 1;
            if (e.stage === 1 && e.epoch === 1) throw new Error('interrupted');
          },
        },
      }),
    ).rejects.toThrow('interrupted');
    session.dispose();
    expect(seen).toBe(3);
    expect(loadCheckpoint(join(dir, 'checkpoint.graft')).position).toEqual({ stage: 1, epoch: 1, stageDone: false });

    const resumed = await weightsAfter(full, true);
    expect(resumed.outcome.history.map((h) => [h.stage, h.epoch])).toEqual([[0, 0], [1, 0], [1, 1], [1, 2], [1, 3]]);
    expect(resumed.weights).toEqual(straight.weights);
  });

  it('leaks no tensors: within a stage, the count after epoch k equals the count after epoch 1', async () => {
    // (Thawing a group adds its optimizer slots, so counts are compared within stages of fixed groups.)
    const stages = [{ use: 'fine-tune', epochs: 3, batchSize: 16 }, { use: 'linear-probe', epochs: 3, batchSize: 16, weighting: { use: 'uncertainty' } }];
    const run = await runtime.load(config(mkdtempSync(join(tmpdir(), 'graft-')), stages));
    const counts: number[] = [];
    await run.train({ callbacks: { onEpochEnd: () => counts.push(tf.memory().numTensors) } });
    expect(counts).toHaveLength(6);
    expect(counts.slice(1, 3)).toEqual([counts[0], counts[0]]);
    expect(counts.slice(4, 6)).toEqual([counts[3], counts[3]]);
  });

  it('refuses a truncated checkpoint with a clear error and leaves it untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const cfg = config(dir, [{ use: 'fine-tune', epochs: 1, batchSize: 16 }]);
    await (await runtime.load(cfg)).train();
    const path = join(dir, 'checkpoint.graft');
    truncateSync(path, statSync(path).size - 100);
    const before = readFileSync(path);
    const run = await runtime.load(cfg);
    await expect(run.train({ resume: true })).rejects.toThrow(/GRAFT_CHECKPOINT_CORRUPT: .*checkpoint\.graft is not a usable Graft checkpoint\. Its contents do not match its checksum \(the file was truncated or edited\)\./);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a foreign file as a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    writeFileSync(join(dir, 'checkpoint.graft'), 'not a checkpoint at all');
    const run = await runtime.load(config(dir, [{ use: 'fine-tune', epochs: 1 }]));
    await expect(run.train({ resume: true })).rejects.toThrow(/GRAFT_CHECKPOINT_CORRUPT.*signature/);
  });

  it('applies discriminative rates: one SGD step moves group i by 1/factor^(G-1-i) of the plain step', async () => {
    const stage = (extra: Record<string, unknown>) => [{ use: 'fine-tune', epochs: 1, lr: 0.05, batchSize: 48, optimizer: 'sgd', bn: 'inference', ...extra }];
    const initial = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), [{ use: 'fine-tune', epochs: 1, lr: 1e-30, batchSize: 48, optimizer: 'sgd', bn: 'inference' }]));
    const plain = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stage({})));
    const discr = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stage({ discriminative: { factor: 2 } })));
    const run = await runtime.load(config(mkdtempSync(join(tmpdir(), 'graft-')), stage({})));
    const session = await run.open();
    const keys = session.model.weights().map((w) => w.key);
    const groupOf = (key: string) => (key.startsWith('head/') ? 3 : ['stem', 'block1', 'block2'].findIndex((g) => key.startsWith(`${g}_`)));
    expect(session.model.groups.map((g) => g.name)).toEqual(['stem', 'block1', 'block2', 'head']);
    session.dispose();
    let checked = 0;
    keys.forEach((key, k) => {
      if (/_bn\//.test(key)) return; // running statistics are not trained
      const expected = 1 / 2 ** (3 - groupOf(key));
      initial.weights[k]!.forEach((w0, j) => {
        const dPlain = plain.weights[k]![j]! - w0;
        const dDiscr = discr.weights[k]![j]! - w0;
        // Deltas are differences of float32 weights: only steps well above float32 resolution are compared.
        if (Math.abs(dPlain) < 1e-4) return;
        expect(Math.abs(dDiscr / dPlain - expected) / expected, key).toBeLessThan(0.01);
        checked += 1;
      });
    });
    expect(checked).toBeGreaterThan(100);
  });

  it('trains on cached features exactly as on features recomputed every step (within 1e-5)', async () => {
    const stages = (cacheFeatures: boolean) => [{ use: 'linear-probe', epochs: 3, lr: 0.02, batchSize: 8, cacheFeatures }];
    const cached = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages(true)));
    const fresh = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages(false)));
    let maxDiff = 0;
    cached.weights.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - fresh.weights[i]![j]!)))));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(cached.outcome.final.metrics.strokes!.accuracy).toBe(fresh.outcome.final.metrics.strokes!.accuracy);
  });

  it('caches the frozen prefix during gradual unfreezing, with the same result as recomputing it (within 1e-4)', async () => {
    const stages = (cacheFeatures: boolean) => [{ use: 'gradual-unfreeze', lr: 0.01, batchSize: 8, cacheFeatures, discriminative: { factor: 2.6 } }];
    const cached = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages(true)));
    const fresh = await weightsAfter(config(mkdtempSync(join(tmpdir(), 'graft-')), stages(false)));
    expect(cached.outcome.history.map((h) => h.trainable.length)).toEqual([1, 2, 3, 4]);
    let maxDiff = 0;
    cached.weights.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - fresh.weights[i]![j]!)))));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('loads a model Graft trained as a pretrained source, trunk weights and groups intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const first = await weightsAfter(config(dir, [{ use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 16 }]));
    const second = {
      backend: 'cpu',
      seed: 5,
      source: { use: 'graft/checkpoint', path: join(dir, 'checkpoint.graft') },
      tasks: [{ name: 'ink', type: 'regression', target: 'ink', data: { use: 'testing/strokes', train: 48, test: 24 } }],
      stages: [{ use: 'linear-probe', epochs: 4, lr: 0.05, batchSize: 16 }],
      output: { dir: mkdtempSync(join(tmpdir(), 'graft-')) },
    };
    const run = await runtime.load(second);
    const session = await run.open();
    const trunkKeys = session.model.trunk.weights().map((w) => w.key);
    expect(session.model.groups.map((g) => g.name)).toEqual(['stem', 'block1', 'block2', 'head']);
    session.model.trunk.weights().forEach((w, i) => expect(Array.from(w.variable.dataSync())).toEqual(first.weights[i]));
    expect(trunkKeys.length).toBeGreaterThan(0);
    const { trainSession } = await import('../internal.js');
    const outcome = await trainSession(session);
    expect(outcome.history[3]!.loss).toBeLessThan(outcome.history[0]!.loss);
    expect(outcome.final.metrics.ink!.mae as number).toBeGreaterThan(0);
    session.dispose();
  });

  it('stops on a NaN loss naming the task, and keeps the last good checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const cfg = {
      ...config(dir, [
        { use: 'fine-tune', epochs: 1, lr: 0.001, batchSize: 16, optimizer: 'sgd' },
        { use: 'fine-tune', epochs: 2, lr: 1e30, batchSize: 16, optimizer: 'sgd' },
      ]),
      tasks: [{ name: 'ink', type: 'regression', target: 'ink', data: { use: 'testing/strokes', train: 48, test: 24 } }],
    };
    const run = await runtime.load(cfg);
    await expect(run.train()).rejects.toThrow(/^GRAFT_NAN_LOSS: The loss of task "ink" became (NaN|Infinity) in stage 1 \(fine-tune\), epoch 0, step \d+\./);
    expect(loadCheckpoint(join(dir, 'checkpoint.graft')).position).toEqual({ stage: 0, epoch: 0, stageDone: true });
  });

  it('stops when the gradients turn NaN while the loss stays finite, without applying the step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const cfg = config(dir, [
      { use: 'fine-tune', epochs: 1, lr: 0.001, batchSize: 16 },
      { use: 'fine-tune', epochs: 1, lr: 0.001, batchSize: 16, weighting: { use: 'nan-gradient-test/nan-gradient' } },
    ]);
    const run = await runtime.load(cfg);
    const session = await run.open();
    const { trainSession } = await import('../internal.js');
    await expect(trainSession(session)).rejects.toThrow(
      /^GRAFT_NAN_LOSS: The gradients became NaN or infinite in stage 1 \(fine-tune\), epoch 0, step 0, while the loss stayed finite \([0-9.]+\)\./,
    );
    // The step was not applied: every weight is still finite.
    for (const w of session.model.weights()) expect(Array.from(w.variable.dataSync()).every(Number.isFinite), w.key).toBe(true);
    expect(loadCheckpoint(join(dir, 'checkpoint.graft')).position).toEqual({ stage: 0, epoch: 0, stageDone: true });
    session.dispose();
  });

  it('rejects tasks whose label column is missing, of the wrong kind, or has no labels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const withTask = (task: Record<string, unknown>) => ({ ...config(dir, [{ use: 'fine-tune' }]), tasks: [{ name: 't', data: { use: 'testing/strokes' }, ...task }] });
    await expect((await runtime.load(withTask({ target: 'colour' }))).open()).rejects.toThrow(
      'GRAFT_LABELS_MISMATCH: Task "t" reads label column "colour", which its dataset does not have at tasks[0].target. Valid choices: label, ink.',
    );
    await expect((await runtime.load(withTask({ target: 'ink' }))).open()).rejects.toThrow(
      'GRAFT_LABELS_MISMATCH: Task "t": classification needs a column of class labels, and this one holds numeric values at tasks[0].target. Use type regression or another column.',
    );
  });

  it('trains tasks from separate datasets: a batch of each per step, or one sampled task per step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const tasks = [
      { name: 'a', data: { use: 'testing/strokes', train: 32, test: 16, seed: 1 } },
      { name: 'b', type: 'regression', target: 'ink', data: { use: 'testing/strokes', train: 64, test: 16, seed: 2 } },
    ];
    const steps = async (sampling: string) => {
      const run = await runtime.load({ ...config(dir, [{ use: 'multitask', epochs: 1, batchSize: 16, sampling }]), tasks });
      const seen = new Set<number>();
      const result = await run.train({ callbacks: { onStep: (p) => seen.add(p.stepsPerEpoch) } });
      expect(Object.keys(result.history[0]!.taskLosses)).toEqual(['a', 'b']);
      expect(result.final.metrics.a!.accuracy).toBeTypeOf('number');
      expect(result.final.metrics.b!.mae).toBeTypeOf('number');
      return [...seen];
    };
    expect(await steps('all')).toEqual([4]);
    expect(await steps('proportional')).toEqual([6]);
    expect(await steps('temperature')).toEqual([6]);
  });

  it('subsamples few-shot data by the dataset’s default labels, whichever column the task reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-'));
    const trainOf = async (task: Record<string, unknown>) => {
      const run = await runtime.load({ ...config(dir, [{ use: 'fine-tune' }]), tasks: [{ name: 't', data: { use: 'testing/strokes', train: 64, perClass: 3 }, ...task }] });
      const session = await run.open();
      const train = session.data.groups[0]!.dataset.train;
      session.dispose();
      return Array.from(train.targets.ink!.data);
    };
    const byLabel = await trainOf({});
    expect(byLabel).toHaveLength(12);
    expect(await trainOf({ type: 'regression', target: 'ink' })).toEqual(byLabel);
  });
});
