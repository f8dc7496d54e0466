import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadCheckpoint, trainSession } from '../internal.js';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';

const runtime = createRuntime({ plugins: [strategies, testingPlugin] });

const config = (dir: string) => ({
  backend: 'cpu',
  seed: 6,
  source: { use: 'testing/tiny-conv', seed: 1 },
  tasks: [
    { name: 'strokes', data: { use: 'testing/strokes', train: 24, test: 8 } },
    { name: 'ink', type: 'regression', target: 'ink', data: { use: 'testing/strokes', train: 16, test: 8, seed: 9 } },
  ],
  stages: [
    { use: 'gradual-unfreeze', every: 1, lr: 0.01, batchSize: 8, sampling: 'proportional', weighting: { use: 'dwa' } },
    { use: 'fine-tune', epochs: 1, lr: 0.005, batchSize: 8 },
  ],
  output: { dir },
});

async function train(dir: string, resume = false, stopAt?: { stage: number; epoch: number; step: number }) {
  const run = await runtime.load(config(dir));
  const session = await run.open();
  const stop = new AbortController();
  try {
    const outcome = await trainSession(session, {
      resume,
      stop: stop.signal,
      callbacks: {
        onStep: (p) => {
          if (stopAt && p.stage === stopAt.stage && p.epoch === stopAt.epoch && p.step === stopAt.step) stop.abort();
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

describe('stopping on request (SIGINT/SIGTERM) and resuming mid-epoch', () => {
  it('stops at the step boundary with GRAFT_INTERRUPTED (exit 130), checkpoints there, and --resume equals the straight run bit for bit', async () => {
    const straight = await train(mkdtempSync(join(tmpdir(), 'graft-int-')));
    for (const stopAt of [{ stage: 0, epoch: 1, step: 2 }, { stage: 1, epoch: 0, step: 0 }]) {
      const dir = mkdtempSync(join(tmpdir(), 'graft-int-'));
      const error = await train(dir, false, stopAt).catch((e: unknown) => e as { code: string; exitCode: number; message: string });
      expect(error).toMatchObject({ code: 'GRAFT_INTERRUPTED', exitCode: 130 });
      expect((error as Error).message).toMatch(new RegExp(`stage ${stopAt.stage} .*epoch ${stopAt.epoch}, after step ${stopAt.step + 1} of \\d+.*--resume`));
      const state = loadCheckpoint(join(dir, 'checkpoint.graft'));
      expect(state.position).toMatchObject({ stage: stopAt.stage, epoch: stopAt.epoch - 1, stageDone: false });
      expect(state.partial?.steps).toBe(stopAt.step + 1);
      const resumed = await train(dir, true);
      expect(resumed.weights).toEqual(straight.weights);
      expect(resumed.outcome.history).toEqual(straight.outcome.history.map((h, i) => ({ ...h, seconds: resumed.outcome.history[i]!.seconds })));
      expect(resumed.outcome.final).toEqual(straight.outcome.final);
      // metrics.jsonl: each epoch once, in order, then the final line.
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; stage: number; epoch: number });
      expect(lines.filter((l) => l.type === 'epoch').map((l) => [l.stage, l.epoch])).toEqual(straight.outcome.history.map((h) => [h.stage, h.epoch]));
      expect(lines[lines.length - 1]!.type).toBe('final');
    }
  });

  it('removes checkpoint temporaries left by dead processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-int-'));
    const stale = join(dir, 'checkpoint.graft.tmp-999999999');
    writeFileSync(stale, 'half a checkpoint');
    const run = await runtime.load({ ...config(dir), stages: [{ use: 'linear-probe', epochs: 1, batchSize: 16 }] });
    await run.train();
    expect(existsSync(stale)).toBe(false);
  });
});
