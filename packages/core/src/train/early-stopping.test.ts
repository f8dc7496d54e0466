import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, evaluateSplit, loadCheckpoint, loadWeights, readCheckpointFile, trainSession, type HistoryEntry } from '../internal.js';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';

const runtime = createRuntime({ plugins: [strategies, testingPlugin] });

/** Regression on `ink` with a validation hold-out; a high rate makes the validation error bounce, so patience runs out. */
function config(dir: string, epochs = 10) {
  return {
    backend: 'cpu',
    seed: 4,
    source: { use: 'testing/tiny-conv', seed: 1 },
    tasks: [{ name: 'ink', type: 'regression', target: 'ink', data: { use: 'testing/strokes', train: 64, test: 24, validation: 0.25 } }],
    stages: [
      { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 16 },
      { use: 'fine-tune', epochs, lr: 0.03, batchSize: 16, earlyStopping: { patience: 2 } },
    ],
    output: { dir },
  };
}

async function weightsOf(dir: string, resume = false, interruptAt?: [number, number]) {
  const run = await runtime.load(config(dir));
  const session = await run.open();
  try {
    const outcome = await trainSession(session, {
      resume,
      callbacks: {
        onEpochEnd: (e: HistoryEntry) => {
          if (interruptAt && e.stage === interruptAt[0] && e.epoch === interruptAt[1]) throw new Error('interrupted');
        },
      },
    });
    return { outcome, weights: session.model.weights().map((w) => Array.from(w.variable.dataSync())) };
  } finally {
    session.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('early stopping', () => {
  it('restores the best weights before the checkpoint is written: eval of the checkpoint equals train’s final metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-es-'));
    const { outcome } = await weightsOf(dir);
    const stage1 = outcome.history.filter((h) => h.stage === 1);
    expect(stage1.length).toBeLessThan(10); // it did stop early
    const checkpoint = loadCheckpoint(join(dir, 'checkpoint.graft'));
    expect(checkpoint.position).toEqual({ stage: 1, epoch: stage1.length - 1, stageDone: true });

    // What `graft eval` does: a fresh model, the checkpoint's weights, the final split.
    const run = await runtime.load(config(mkdtempSync(join(tmpdir(), 'graft-es-'))));
    const session = await run.open();
    loadWeights(session.model, readCheckpointFile(join(dir, 'checkpoint.graft')).tensors, dir);
    const metrics = await evaluateSplit(session.model, session.data, outcome.final.split);
    session.dispose();
    expect(metrics).toEqual(outcome.final.metrics);
    // …and those are the metrics of the best validation epoch, not the last one's weights.
    const best = Math.min(...stage1.map((h) => h.metrics.ink!.mae as number));
    expect(stage1[stage1.length - 1]!.metrics.ink!.mae).toBeGreaterThan(best);
  });

  it('checkpoints its state: a resume after an epoch past the best stops where the straight run stops, bit-identical', async () => {
    const straight = await weightsOf(mkdtempSync(join(tmpdir(), 'graft-es-')));
    const stage1 = straight.outcome.history.filter((h) => h.stage === 1);
    const bestEpoch = stage1.reduce((b, h) => ((h.metrics.ink!.mae as number) < (stage1[b]!.metrics.ink!.mae as number) ? h.epoch : b), 0);
    const interruptAt = bestEpoch + 1;
    expect(interruptAt).toBeLessThan(stage1.length - 1 + 1);

    const dir = mkdtempSync(join(tmpdir(), 'graft-es-'));
    await expect(weightsOf(dir, false, [1, interruptAt])).rejects.toThrow('interrupted');
    const meta = loadCheckpoint(join(dir, 'checkpoint.graft')).meta;
    expect(meta.earlyStopping).toEqual({ value: stage1[bestEpoch]!.metrics.ink!.mae, epoch: bestEpoch });
    const resumed = await weightsOf(dir, true);
    expect(resumed.outcome.history.map((h) => [h.stage, h.epoch])).toEqual(straight.outcome.history.map((h) => [h.stage, h.epoch]));
    expect(resumed.weights).toEqual(straight.weights);
    expect(resumed.outcome.final).toEqual(straight.outcome.final);
  });
});
