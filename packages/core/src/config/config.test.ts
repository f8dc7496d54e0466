import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { GraftError } from '../errors.js';
import { buildRegistry } from '../plugins/loader.js';
import { definePlugin } from '../plugins/define.js';
import { corePlugin } from '../tasks/plugin.js';
import { configJsonSchema } from './schema.js';
import { fromObject, resolvePlan } from './load.js';
import { readConfigFile } from './read-file.js';

const noop = { setup() {} };
const plugin = definePlugin({
  meta: { name: '@graft/config-test', version: '1.0.0', graft: '*' },
  strategies: [
    { name: 'fine-tune', description: 'all groups', options: z.strictObject({}), ...noop },
    { name: 'gradual-unfreeze', description: 'ULMFiT', options: z.strictObject({ every: z.number().int().positive().default(1) }), ...noop },
  ],
  datasets: [{ name: 'demo/data', description: 'demo', options: z.strictObject({ path: z.string() }), load: async () => { throw new Error('unused'); } }],
  sources: [{ name: 'demo/net', description: 'demo', options: z.strictObject({ alpha: z.number().default(1) }), load: async () => { throw new Error('unused'); } }],
});
const registry = buildRegistry([corePlugin, plugin]);

const valid = {
  source: { use: 'demo/net' },
  tasks: [{ name: 'digits', data: { use: 'demo/data', path: 'x' } }],
  stages: [{ use: 'fine-tune', lr: 1e-4 }, { use: 'gradual-unfreeze', every: 2 }],
};

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GraftError);
    return (e as GraftError).message;
  }
  throw new Error('expected an error');
}

const resolve = (raw: unknown) => resolvePlan(fromObject(raw, 'graft.yaml'), registry);

describe('config validation', () => {
  it('accepts a valid config and fills defaults', () => {
    const plan = resolve(valid);
    expect(plan.stages[0]!.options).toMatchObject({ lr: 1e-4, batchSize: 32, bn: 'frozen', optimizer: { name: 'adam' }, schedule: { name: 'constant' } });
    expect(plan.stages[1]!.options.every).toBe(2);
    expect(plan.backend).toBe('auto');
  });

  it('names an unknown strategy, lists the registered ones and guesses the typo', () => {
    expect(errorOf(() => resolve({ ...valid, stages: [{ use: 'fine-tune' }, { use: 'gradual-unfreez' }] }))).toMatchInlineSnapshot(
      `"GRAFT_UNKNOWN_STRATEGY: Unknown strategy "gradual-unfreez" at stages[1].use in graft.yaml. Valid choices: fine-tune, gradual-unfreeze. Did you mean "gradual-unfreeze"?"`,
    );
  });

  it('rejects unknown keys with the path and a did-you-mean', () => {
    expect(errorOf(() => resolve({ ...valid, stages: [{ use: 'fine-tune', lrr: 0.1 }] }))).toMatchInlineSnapshot(`
      "GRAFT_CONFIG_INVALID: Invalid config in graft.yaml:
        stages[0]: unknown key "lrr"; did you mean "lr"? Valid keys: use, name, epochs, lr, headLr, batchSize, optimizer, schedule, discriminative, reinitHead, bn, bnMomentum, cacheFeatures, clipNorm, weighting, sampling, temperature, tasks, earlyStopping.
       Fix the values above; \`graft schema\` prints every key with its type and default."
    `);
  });

  it('rejects bad values with the path and what was expected', () => {
    expect(errorOf(() => resolve({ ...valid, stages: [{ use: 'fine-tune', lr: -1, optimizer: 'adm' }] }))).toMatchInlineSnapshot(`
      "GRAFT_CONFIG_INVALID: Invalid config in graft.yaml:
        stages[0].lr: Too small: expected number to be >0.
        stages[0].optimizer: expected one of "sgd", "momentum", "adam", "adamw" or an object with options.
       Fix the values above; \`graft schema\` prints every key with its type and default."
    `);
  });

  it('validates plugin options strictly, at their path', () => {
    expect(errorOf(() => resolve({ ...valid, source: { use: 'demo/net', alpha: 'big' } }))).toMatchInlineSnapshot(`
      "GRAFT_CONFIG_INVALID: Invalid config in graft.yaml:
        source.alpha: Invalid input: expected number, received string.
       Fix the values above; \`graft schema\` prints every key with its type and default."
    `);
  });

  it('names unknown datasets, sources and backends with their choices', () => {
    expect(errorOf(() => resolve({ ...valid, tasks: [{ name: 'a', data: { use: 'demo/dat' } }] }))).toMatchInlineSnapshot(
      `"GRAFT_UNKNOWN_DATASET: Unknown dataset "demo/dat" at tasks[0].data.use in graft.yaml. Valid choices: demo/data. Did you mean "demo/data"?"`,
    );
    expect(errorOf(() => resolve({ ...valid, backend: 'cuda' }))).toMatch(/^GRAFT_UNKNOWN_BACKEND: Unknown backend "cuda" at backend in graft.yaml\. Valid choices: auto, cpu\./);
  });

  it('rejects a task name used twice', () => {
    const task = valid.tasks[0]!;
    expect(errorOf(() => resolve({ ...valid, tasks: [task, task] }))).toMatchInlineSnapshot(`"GRAFT_CONFIG_INVALID: Task name "digits" is used twice at tasks[1].name in graft.yaml. Fix: give every task its own name."`.replace('Fix: give', 'Give'));
  });

  it('reports a missing file and a YAML syntax error with the file name', () => {
    expect(errorOf(() => readConfigFile('/nonexistent/graft.yaml'))).toMatch(/^GRAFT_CONFIG_NOT_FOUND: Config file "\/nonexistent\/graft.yaml" does not exist\./);
    const dir = mkdtempSync(join(tmpdir(), 'graft-config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'stages: [ { use: fine-tune\n');
    expect(errorOf(() => readConfigFile(join(dir, 'bad.yaml')))).toMatch(/^GRAFT_CONFIG_PARSE: .*bad\.yaml is not valid YAML\./);
  });

  it('exports a JSON Schema that lists every registered strategy', () => {
    const schema = JSON.stringify(configJsonSchema(registry));
    expect(schema).toContain('"gradual-unfreeze"');
    expect(schema).toContain('"every"');
    expect(JSON.parse(schema).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
