import { describe, expect, it } from 'vitest';
import { nodeEnvironment, silentLogger, type DatasetContext, type DatasetProvider, type Examples } from '@graft/core';

/** What every dataset plugin must satisfy. Call inside a test file: `datasetContract(myDataset, options)`. */
export function datasetContract(dataset: DatasetProvider, options: unknown, context: Partial<DatasetContext> = {}): void {
  const ctx: DatasetContext = { configDir: process.cwd(), seed: 0, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data', ...context };
  const checkSplit = (split: Examples, name: string) => {
    expect(split.size, `${name}.size`).toBeGreaterThan(0);
    for (const [input, t] of Object.entries(split.inputs)) {
      expect(t.shape[0], `${name}.inputs.${input} sample axis`).toBe(split.size);
      expect(t.data.length, `${name}.inputs.${input} data length`).toBe(t.shape.reduce((a, b) => a * b, 1));
    }
    for (const [target, column] of Object.entries(split.targets)) {
      expect(column.shape[0], `${name}.targets.${target} sample axis`).toBe(split.size);
      if (column.mask) expect(column.mask.length).toBe(split.size);
    }
  };
  describe(`dataset contract: ${dataset.name}`, () => {
    it('has a name, a description and strict options', () => {
      expect(dataset.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(dataset.description.length).toBeGreaterThan(10);
      expect(dataset.options.safeParse({ __unknown__: 1 }).success).toBe(false);
    });

    it('loads aligned splits whose labels match the declared targets', async () => {
      const parsed: unknown = dataset.options.parse(options);
      const data = await dataset.load(parsed, ctx);
      expect(Object.keys(data.targets)).toContain(data.defaultTarget);
      expect(Object.keys(data.train.inputs).length).toBeGreaterThan(0);
      for (const [name, split] of Object.entries({ train: data.train, validation: data.validation, test: data.test })) if (split) checkSplit(split, name);
      for (const [target, info] of Object.entries(data.targets)) {
        const column = data.train.targets[target];
        expect(column, `train.targets.${target}`).toBeDefined();
        if (info.kind === 'classes') {
          expect(column!.data).toBeInstanceOf(Int32Array);
          for (const label of column!.data) expect(label >= 0 && label < info.classes.length, `label ${label} of ${target}`).toBe(true);
        }
      }
    });

    it('is deterministic for a seed (resume reloads the same data)', async () => {
      const parsed: unknown = dataset.options.parse(options);
      const [a, b] = [await dataset.load(parsed, ctx), await dataset.load(parsed, ctx)];
      expect(a.train.size).toBe(b.train.size);
      for (const input of Object.keys(a.train.inputs)) expect(Array.from(a.train.inputs[input]!.data)).toEqual(Array.from(b.train.inputs[input]!.data));
    });
  });
}
