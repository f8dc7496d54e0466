import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../internal.js';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';

const runtime = createRuntime({ plugins: [strategies, testingPlugin] });

/** Tasks a (dataset 1), b (dataset 2), c (dataset 1 again): batch order a, c, b; config order a, b, c. */
const TASKS = [
  { name: 'a', data: { use: 'testing/strokes', train: 32, test: 16, seed: 1 } },
  { name: 'b', data: { use: 'testing/strokes', train: 32, test: 16, seed: 2 } },
  { name: 'c', type: 'regression', target: 'ink', data: { use: 'testing/strokes', train: 32, test: 16, seed: 1 } },
];

async function train(stage: Record<string, unknown>) {
  const run = await runtime.load({
    backend: 'cpu',
    seed: 3,
    source: { use: 'testing/tiny-conv', seed: 1 },
    tasks: TASKS,
    stages: [{ epochs: 1, lr: 0.01, batchSize: 16, ...stage }],
    output: { dir: mkdtempSync(join(tmpdir(), 'graft-mtw-')), checkpoint: false },
  });
  const session = await run.open();
  const headOf = (name: string) => session.model.heads.get(name)!.variables.map((v) => Array.from(v.dataSync()));
  const before = Object.fromEntries(['a', 'b', 'c'].map((n) => [n, headOf(n)]));
  const { trainSession } = await import('../internal.js');
  const outcome = await trainSession(session);
  const after = Object.fromEntries(['a', 'b', 'c'].map((n) => [n, headOf(n)]));
  session.dispose();
  return { outcome, moved: (name: string) => JSON.stringify(before[name]) !== JSON.stringify(after[name]) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('multi-task weightings see tasks in config order', () => {
  for (const sampling of ['all', 'proportional']) {
    it(`static weights reach the task they name across datasets (sampling: ${sampling})`, async () => {
      const { outcome, moved } = await train({ use: 'linear-probe', sampling, weighting: { use: 'static', weights: { a: 1, b: 0, c: 1 } } });
      expect(outcome.history[0]!.taskWeights).toEqual([1, 0, 1]);
      expect(moved('a')).toBe(true);
      expect(moved('b')).toBe(false); // weight 0: never updated
      expect(moved('c')).toBe(true);
    });
  }

  for (const use of ['pcgrad', 'gradnorm', 'cagrad', 'mgda', 'uncertainty', 'dwa', 'rlw']) {
    it(`${use} trains with one sampled dataset per step, combining only the present tasks`, async () => {
      const { outcome } = await train({ use: 'fine-tune', sampling: 'proportional', weighting: { use } });
      const h = outcome.history[0]!;
      expect(Number.isFinite(h.loss)).toBe(true);
      expect(Object.values(h.taskLosses).every((l) => Number.isFinite(l) && l > 0)).toBe(true);
      expect(h.taskWeights).toHaveLength(3);
      expect(h.taskWeights.every((w) => Number.isFinite(w))).toBe(true);
    });
  }
});

describe('gradient weightings hold memory flat', () => {
  it('leaks no tensor per step: tf.memory().numTensors is the same after every step of an epoch', async () => {
    const run = await runtime.load({
      backend: 'cpu',
      seed: 3,
      source: { use: 'testing/tiny-conv', seed: 1 },
      tasks: TASKS,
      stages: [{ use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 8, weighting: { use: 'pcgrad' } }],
      output: { dir: mkdtempSync(join(tmpdir(), 'graft-mtw-')), checkpoint: false },
    });
    const counts: number[] = [];
    await run.train({ callbacks: { onStep: (p) => p.epoch === 1 && counts.push(tf.memory().numTensors) } });
    expect(counts.length).toBeGreaterThan(2);
    expect(new Set(counts).size).toBe(1);
  });
});
