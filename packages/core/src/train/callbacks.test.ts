import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';
import { callbackContract } from '@graft/testing/contracts';
import type { CallbackPlugin } from '../callback.js';
import { loadCheckpoint } from '../checkpoint/files.js';
import { createRuntime, definePlugin, GRAFT_VERSION } from '../index.js';

/** Records every event it sees (shared per run through `log`); stops training after `stopAfterEpoch` when set. */
const seen: string[] = [];
const recorder: CallbackPlugin<{ stopAfterEpoch?: number }> = {
  name: 'test/recorder',
  description: 'Records the loop’s events; may stop training after an epoch.',
  options: z.strictObject({ stopAfterEpoch: z.number().int().min(0).optional() }),
  create: ({ stopAfterEpoch }) => ({
    name: 'test/recorder',
    trainBegin: (e) => void seen.push(`trainBegin ${e.stages}`),
    stageBegin: (e) => void seen.push(`stageBegin ${e.stage} ${e.stageName} epochs=${e.epochs} steps=${e.stepsPerEpoch}`),
    epochBegin: (e) => void seen.push(`epochBegin ${e.stage}.${e.epoch}`),
    stepEnd: (e) => void seen.push(`stepEnd ${e.stage}.${e.epoch}.${e.step}`),
    epochEnd: (e, control) => {
      seen.push(`epochEnd ${e.entry.stage}.${e.entry.epoch}${e.lastOfStage ? ' last' : ''}`);
      if (e.entry.epoch === stopAfterEpoch) control.stopTraining();
    },
    stageEnd: (e) => void seen.push(`stageEnd ${e.stage}${e.stopped ? ' stopped' : ''}`),
    trainEnd: (e) => void seen.push(`trainEnd ${e.result.history.length}`),
  }),
};

/** Counts steps across the run: its state must survive a resume. */
const counter: CallbackPlugin<Record<string, never>> = {
  name: 'test/step-counter',
  description: 'Counts optimisation steps across the whole run (stateful).',
  options: z.strictObject({}),
  create: () => {
    let steps = 0;
    return { name: 'test/step-counter', stepEnd: () => void (steps += 1), state: () => ({ steps }), restore: (s) => void (steps = (s as { steps: number }).steps) };
  },
};

const host = definePlugin({ meta: { name: 'callbacks-test', version: '0.0.0', graft: GRAFT_VERSION }, callbacks: [recorder, counter] });
const runtime = createRuntime({ plugins: [strategies, testingPlugin, host] });

function config(dir: string, callbacks: Record<string, unknown>[]) {
  return {
    backend: 'cpu',
    seed: 1,
    source: { use: 'testing/tiny-conv', seed: 1 },
    tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 16, test: 8 } }],
    stages: [
      { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 8 },
      { use: 'fine-tune', epochs: 2, lr: 0.01, batchSize: 8 },
    ],
    callbacks,
    output: { dir },
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('callbacks contributed by plugins', () => {
  it('see the closed event set in order for a tiny run', async () => {
    seen.length = 0;
    await (await runtime.load(config(mkdtempSync(join(tmpdir(), 'graft-cb-')), [{ use: 'test/recorder' }]))).train();
    const steps = (stage: number, epoch: number) => [`stepEnd ${stage}.${epoch}.0`, `stepEnd ${stage}.${epoch}.1`];
    expect(seen).toEqual([
      'trainBegin 2',
      'stageBegin 0 linear-probe epochs=1 steps=2',
      'epochBegin 0.0',
      ...steps(0, 0),
      'epochEnd 0.0 last',
      'stageEnd 0',
      'stageBegin 1 fine-tune epochs=2 steps=2',
      'epochBegin 1.0',
      ...steps(1, 0),
      'epochEnd 1.0',
      'epochBegin 1.1',
      ...steps(1, 1),
      'epochEnd 1.1 last',
      'stageEnd 1',
      'trainEnd 3',
    ]);
  });

  it('may stop training: the run ends after that epoch with its final evaluation, and a resume trains no further', async () => {
    seen.length = 0;
    const dir = mkdtempSync(join(tmpdir(), 'graft-cb-'));
    const cfg = config(dir, [{ use: 'test/recorder', stopAfterEpoch: 0 }]);
    const outcome = await (await runtime.load(cfg)).train();
    expect(outcome.history.map((h) => `${h.stage}.${h.epoch}`)).toEqual(['0.0']);
    expect(outcome.final.metrics.strokes).toBeDefined();
    expect(seen.slice(-3)).toEqual(['epochEnd 0.0 last', 'stageEnd 0 stopped', 'trainEnd 1']);
    expect(loadCheckpoint(join(dir, 'checkpoint.graft')).position).toEqual({ stage: 0, epoch: 0, stageDone: true, stopped: true });
    const resumed = await (await runtime.load(cfg)).train({ resume: true });
    expect(resumed.history).toHaveLength(1);
  });

  it('checkpoint their state, so a resumed run continues it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-cb-'));
    const cfg = config(dir, [{ use: 'test/step-counter' }]);
    const stopAt = (stage: number) => ({ onEpochEnd: (e: { stage: number }) => void (e.stage === stage && (() => { throw new Error('stop'); })()) });
    await expect((await runtime.load(cfg)).train({ callbacks: stopAt(0) })).rejects.toThrow('stop');
    expect(loadCheckpoint(join(dir, 'checkpoint.graft')).meta.callbacks).toEqual({ 'test/step-counter': { steps: 2 } });
    await (await runtime.load(cfg)).train({ resume: true });
    expect(loadCheckpoint(join(dir, 'checkpoint.graft')).meta.callbacks).toEqual({ 'test/step-counter': { steps: 6 } });
  });

  it('are checked as a plugin loads: a missing field names the plugin and the field', () => {
    const bad = { meta: { name: 'bad-callbacks', version: '0.0.0', graft: GRAFT_VERSION }, callbacks: [{ name: 'bad/cb', description: 'has no create function', options: z.strictObject({}) }] };
    expect(() => createRuntime({ plugins: [bad as never] })).toThrow(/Plugin "bad-callbacks": callbacks\[0\] \("bad\/cb"\)\.create must be a function/);
  });

  it('are named in the config: an unknown name fails with GRAFT_UNKNOWN_CALLBACK and a suggestion', async () => {
    await expect(runtime.load(config(mkdtempSync(join(tmpdir(), 'graft-cb-')), [{ use: 'test/recordr' }]))).rejects.toMatchObject({ code: 'GRAFT_UNKNOWN_CALLBACK', message: expect.stringMatching(/callbacks\[0\]\.use.*test\/recorder/) });
  });
});

callbackContract(counter, { plugins: [strategies] });
callbackContract(recorder, { plugins: [strategies] });
