import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';
import { createRuntime, trainSession } from '../internal.js';
import { sha256Hex } from '../sha256.js';

/**
 * Behaviour preservation: tiny runs covering every path of the loop, compared to outputs recorded on the
 * loop before its decomposition into stage runner, step and callbacks (golden/*.json). Epoch lines of
 * metrics.jsonl (without wall time), final metrics and a digest of the final weights must be bit-identical.
 * `GRAFT_RECORD_GOLDEN=1` rewrites the files (only when a change of numbers is intended).
 */
const runtime = createRuntime({ plugins: [strategies, testingPlugin] });
const RECORD = process.env.GRAFT_RECORD_GOLDEN === '1';
const data = (train: number, extra: Record<string, unknown> = {}) => ({ use: 'testing/strokes', train, test: 16, ...extra });
const one = [{ name: 'strokes', data: data(32, { validation: 0.25 }) }];
const three = [
  { name: 'a', data: data(24, { seed: 1, validation: 0.25 }) },
  { name: 'b', data: data(24, { seed: 2, validation: 0.25 }) },
  { name: 'c', type: 'regression', target: 'ink', data: data(24, { seed: 1, validation: 0.25 }) },
];

const CASES: Record<string, { tasks: unknown[]; stages: Record<string, unknown>[]; stopAt?: { stage: number; epoch: number; step: number } }> = {
  'fine-tune': { tasks: one, stages: [{ use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 8 }] },
  // BatchNorm on its running statistics, folded into each convolution under the gradient tape (recorded later).
  'fine-tune-bn-inference': { tasks: one, stages: [{ use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 8, bn: 'inference' }] },
  'gradual-discriminative-schedule': {
    tasks: one,
    stages: [{ use: 'gradual-unfreeze', every: 1, lr: 0.01, batchSize: 8, discriminative: { factor: 2.6 }, schedule: 'slanted-triangular', clipNorm: 1 }],
  },
  'early-stopping': {
    tasks: [{ name: 'ink', type: 'regression', target: 'ink', data: data(32, { validation: 0.25 }) }],
    stages: [
      { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 16 },
      { use: 'fine-tune', epochs: 6, lr: 0.03, batchSize: 8, earlyStopping: { patience: 1, minDelta: 0.02 } },
    ],
  },
  'multitask-uncertainty-proportional': {
    tasks: three,
    stages: [{ use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 8, sampling: 'proportional', weighting: { use: 'uncertainty' } }],
  },
  'multitask-dwa-pcgrad': {
    tasks: three,
    stages: [
      { use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 8, weighting: { use: 'dwa' } },
      { use: 'fine-tune', epochs: 1, lr: 0.005, batchSize: 8, weighting: { use: 'pcgrad' } },
    ],
  },
  'linear-probe-cached': { tasks: one, stages: [{ use: 'linear-probe', epochs: 3, lr: 0.02, batchSize: 8, cacheFeatures: true }] },
  'resume-mid-stage': {
    tasks: one,
    stages: [
      { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 8 },
      { use: 'fine-tune', epochs: 2, lr: 0.005, batchSize: 8, discriminative: { factor: 2 }, earlyStopping: { patience: 3 } },
    ],
    stopAt: { stage: 1, epoch: 1, step: 1 },
  },
};

/** What a run leaves that must not change: metrics.jsonl without wall time, and the final weights' digest. */
async function outputs(name: string): Promise<unknown> {
  const c = CASES[name]!;
  const dir = mkdtempSync(join(tmpdir(), `graft-golden-${name}-`));
  const cfg = { backend: 'cpu', seed: 5, source: { use: 'testing/tiny-conv', seed: 1 }, tasks: c.tasks, stages: c.stages, output: { dir } };
  const once = async (resume: boolean, stopAt?: { stage: number; epoch: number; step: number }) => {
    const session = await (await runtime.load(cfg)).open();
    const stop = new AbortController();
    try {
      await trainSession(session, {
        resume,
        stop: stop.signal,
        callbacks: { onStep: (p) => void (stopAt && p.stage === stopAt.stage && p.epoch === stopAt.epoch && p.step === stopAt.step && stop.abort()) },
      });
      const bytes = new Uint8Array(session.model.weights().flatMap((w) => Array.from(new Uint8Array((w.variable.dataSync() as Float32Array).slice().buffer))));
      return sha256Hex(bytes);
    } finally {
      session.dispose();
    }
  };
  if (c.stopAt) await expect(once(false, c.stopAt)).rejects.toMatchObject({ code: 'GRAFT_INTERRUPTED' });
  const weights = await once(c.stopAt !== undefined);
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { metrics: lines.map(({ seconds: _, ...rest }) => rest), weights };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the loop reproduces its recorded outputs bit for bit', () => {
  for (const name of Object.keys(CASES)) {
    it(name, async () => {
      const file = join(import.meta.dirname, 'golden', `${name}.json`);
      const got = await outputs(name);
      if (RECORD) writeFileSync(file, `${JSON.stringify(got, null, 1)}\n`);
      expect(got).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});
