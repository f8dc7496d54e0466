import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng, nodeEnvironment, silentLogger, type PretrainedSource, type SourceContext } from '@graft/core';

export interface SourceContractOptions {
  /** Options to load the source with (already valid for its schema). */
  options: unknown;
  /** One raw batch of dataset inputs, by input name. */
  sampleInputs: () => Record<string, tf.Tensor>;
  context?: Partial<SourceContext>;
}

/** What every source plugin must satisfy. Call inside a test file: `sourceContract(mySource, {...})`. */
export function sourceContract(source: PretrainedSource, o: SourceContractOptions): void {
  const ctx: SourceContext = {
    configDir: process.cwd(),
    seed: 0,
    log: silentLogger,
    env: nodeEnvironment(),
    where: 'source',
    loadSource: () => Promise.reject(new Error('this contract run loads no nested source')),
    ...o.context,
  };
  describe(`source contract: ${source.name}`, () => {
    it('has a name, a description and strict options', () => {
      expect(source.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(source.description.length).toBeGreaterThan(10);
      expect(source.options.safeParse({ __unknown__: 1 }).success).toBe(false);
    });

    it('loads ordered, non-empty groups that cover its trainable weights', async () => {
      const trunk = await source.load(o.options, ctx);
      expect(trunk.groups.length).toBeGreaterThan(0);
      const grouped = new Set(trunk.groups.flatMap((g) => g.variables));
      for (const g of trunk.groups) expect(g.variables.length, `group ${g.name}`).toBeGreaterThan(0);
      const keys = trunk.weights().map((w) => w.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const w of trunk.weights()) if (w.variable.trainable) expect(grouped.has(w.variable), w.key).toBe(true);
      trunk.dispose();
    });

    it('maps a batch to [batch, featureSize] features', async () => {
      const trunk = await source.load(o.options, ctx);
      const inputs = o.sampleInputs();
      const batch = Object.values(inputs)[0]!.shape[0]!;
      const features = tf.tidy(() => trunk.apply(trunk.preprocess(inputs), false));
      expect(features.shape).toEqual([batch, trunk.featureSize]);
      expect(Array.from(features.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([features, ...Object.values(inputs)]);
      trunk.dispose();
    });

    it('gives the same weight keys on every load, and reinitialises reproducibly', async () => {
      const a = await source.load(o.options, ctx);
      const b = await source.load(o.options, ctx);
      expect(a.weights().map((w) => w.key)).toEqual(b.weights().map((w) => w.key));
      a.reinitialize(new Rng(3));
      b.reinitialize(new Rng(3));
      a.weights().forEach((w, i) => expect(w.variable.dataSync()).toEqual(b.weights()[i]!.variable.dataSync()));
      a.dispose();
      b.dispose();
    });
  });
}
