import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DataSpec, TaskPlan } from '../config/load.js';
import { nodeEnvironment } from '../env/node/index.js';
import type { Logger } from '../logger.js';
import { classificationTask } from '../tasks/classification.js';
import type { Dataset, DatasetProvider, Examples } from './examples.js';
import { prepareData } from './prepare.js';

/** 4 balanced classes × 250 samples; feature 0 is the sample's own index, so splits can be traced. */
function balanced(n = 1000, classes = 4): Examples {
  return {
    size: n,
    inputs: { features: { data: Float32Array.from({ length: n }, (_, i) => i), shape: [n, 1] } },
    targets: { label: { data: Int32Array.from({ length: n }, (_, i) => i % classes), shape: [n] } },
  };
}

function provider(make: () => Dataset): DatasetProvider {
  return { name: 'test/in-memory', description: 'in-memory', options: z.strictObject({}), load: async () => make() };
}

function plan(spec: Partial<DataSpec>, make: () => Dataset = () => ({ modality: 'table', targets: { label: { kind: 'classes', classes: ['a', 'b', 'c', 'd'] } }, defaultTarget: 'label', train: balanced() })): TaskPlan {
  return {
    name: 'task',
    type: classificationTask,
    data: { plugin: provider(make), options: {}, key: JSON.stringify(spec), where: 'tasks[0].data', ...spec },
    head: { hidden: [], dropout: 0 },
  };
}

const counts = (e: Examples | undefined) => {
  const out = [0, 0, 0, 0];
  for (const c of e!.targets.label!.data) out[c]!++;
  return out;
};
const ids = (e: Examples) => Array.from(e.inputs.features!.data);

function collecting(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: { info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`), debug() {} } };
}

describe('prepareData splits', () => {
  it('carves validation AFTER few-shot subsampling, stratified (k-shot validation), and says so', async () => {
    const { log, lines } = collecting();
    const data = await prepareData([plan({ perClass: 10, validation: 0.2 })], { seed: 5, configDir: '.', env: nodeEnvironment({ log }) });
    const { train, validation } = data.groups[0]!.dataset;
    expect(counts(validation)).toEqual([2, 2, 2, 2]);
    expect(counts(train)).toEqual([8, 8, 8, 8]);
    expect(ids(train).filter((i) => ids(validation!).includes(i))).toEqual([]);
    expect(data.notes.join('\n')).toMatch(/validation: 8 samples held out of the 10-shot training split, stratified by "label" \(k-shot validation\)/);
    expect(lines).toEqual(data.notes);
  });

  it('stratifies a plain validation split', async () => {
    const data = await prepareData([plan({ validation: 0.1 })], { seed: 1, configDir: '.', env: nodeEnvironment() });
    expect(counts(data.groups[0]!.dataset.validation)).toEqual([25, 25, 25, 25]);
  });

  it('stratifies folds: every fold holds each class in proportion, and the folds partition the data', async () => {
    const seen: number[] = [];
    for (let index = 0; index < 5; index++) {
      const data = await prepareData([plan({ fold: { index, count: 5 } })], { seed: 2, configDir: '.', env: nodeEnvironment() });
      const { train, validation } = data.groups[0]!.dataset;
      expect(counts(validation)).toEqual([50, 50, 50, 50]);
      expect(train.size).toBe(800);
      seen.push(...ids(validation!));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('passes the final splits to fitToTraining, so statistics see training rows only', async () => {
    let fittedOn: number[] = [];
    const make = (): Dataset => ({
      modality: 'table',
      targets: { label: { kind: 'classes', classes: ['a', 'b', 'c', 'd'] } },
      defaultTarget: 'label',
      train: balanced(),
      fitToTraining(splits) {
        fittedOn = ids(splits.train);
        return { ...splits, notes: ['fitted'] };
      },
    });
    const data = await prepareData([plan({ validation: 0.5 }, make)], { seed: 3, configDir: '.', env: nodeEnvironment() });
    expect(fittedOn).toEqual(ids(data.groups[0]!.dataset.train));
    expect(fittedOn).toHaveLength(500);
    expect(data.notes).toContain('tasks[0].data: fitted');
  });

  it('refuses a validation fraction that leaves nothing to validate on', async () => {
    await expect(prepareData([plan({ perClass: 1, validation: 0.2 })], { seed: 3, configDir: '.', env: nodeEnvironment() })).rejects.toMatchObject({ code: 'GRAFT_DATA_INVALID' });
  });

  it('refuses a task whose target the data lacks as a config error (exit 2), before anything trains', async () => {
    const p = plan({});
    const e = await prepareData([{ ...p, target: 'tone' }], { seed: 3, configDir: '.', env: nodeEnvironment() }).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'GRAFT_LABELS_MISMATCH', exitCode: 2 });
  });
});
