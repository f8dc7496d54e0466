import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, planRun } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { testingPlugin } from './plugin.js';

const runtime = createRuntime({ plugins: [strategies, testingPlugin] });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('planRun (graft plan)', () => {
  it('reports the backend and why, data sizes, and per stage and epoch the training groups with their rates, without training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-plan-'));
    const run = await runtime.load({
      backend: 'cpu',
      seed: 7,
      source: { use: 'testing/tiny-conv', seed: 1 },
      tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 40, test: 16, validation: 0.2 } }],
      stages: [
        { use: 'linear-probe', epochs: 1, lr: 0.03, batchSize: 16, weighting: { use: 'equal' } },
        { use: 'gradual-unfreeze', every: 1, lr: 0.01, batchSize: 16, discriminative: { factor: 2 }, headLr: 0.05 },
      ],
      output: { dir },
    });
    const session = await run.open();
    const report = await planRun(session, run.registry);
    session.dispose();
    expect(report.backend).toMatchObject({ requested: 'cpu', chosen: 'cpu' });
    expect(report.backend.why).toContain('named in the config');
    expect(report.data).toEqual([{ tasks: ['strokes'], train: 32, validation: 8, test: 16 }]);
    expect(report.stages[0]).toEqual({ stage: 0, name: 'linear-probe', weighting: 'equal', epochs: [{ epoch: 0, groups: [{ name: 'head', lr: 0.03 }] }] });
    // Gradual unfreezing thaws one more group per epoch, top down; group i trains at lr / 2^(G-1-i); the head at headLr.
    expect(report.stages[1]!.epochs.map((e) => e.groups)).toEqual([
      [{ name: 'head', lr: 0.05 }],
      [{ name: 'block2', lr: 0.005 }, { name: 'head', lr: 0.05 }],
      [{ name: 'block1', lr: 0.0025 }, { name: 'block2', lr: 0.005 }, { name: 'head', lr: 0.05 }],
      [{ name: 'stem', lr: 0.00125 }, { name: 'block1', lr: 0.0025 }, { name: 'block2', lr: 0.005 }, { name: 'head', lr: 0.05 }],
    ]);
    expect(existsSync(join(dir, 'checkpoint.graft'))).toBe(false);
    expect(existsSync(join(dir, 'metrics.jsonl'))).toBe(false);
  });
});
