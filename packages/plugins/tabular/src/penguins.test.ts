import * as tf from '@tensorflow/tfjs';
import { Rng, nodeEnvironment, silentLogger } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import tabularPlugin, { csvDataset, csvOptionsSchema, findPenguinsCsv, mlpOptionsSchema, mlpSource, penguinsDataset } from './index.js';

/**
 * The real Palmer penguins file from Debian's r-cran-palmerpenguins (344 rows): installed, or unpacked into
 * the Graft cache by scripts/fetch-test-assets.sh (run by `npm test`'s pretest). Absent: these tests skip outside CI.
 */
const PENGUINS = findPenguinsCsv();
// Missing: these tests skip, except in CI where they fail (scripts/test-assets.sh must have unpacked the file).
const hasPenguins = PENGUINS !== undefined || !!process.env.CI;

const OPTIONS = csvOptionsSchema.parse({
  path: PENGUINS ?? 'penguins.csv',
  features: ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm'],
  targets: { species: { kind: 'classes' }, sex: { kind: 'classes' }, body_mass: { column: 'body_mass_g', kind: 'values' } },
  split: { validation: 0.15, test: 0.2, seed: 1 },
});
const ctx = { configDir: '/', seed: 1, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' };

describe('@graft/tabular plugin', () => {
  it('registers tabular/csv, tabular/penguins and tabular/mlp for Graft 0.1.0', () => {
    expect(tabularPlugin.meta).toEqual({ name: '@graft/tabular', version: '0.1.0', graft: '0.1.0' });
    expect(tabularPlugin.datasets.map((d) => d.name)).toEqual(['tabular/csv', 'tabular/penguins']);
    expect(tabularPlugin.sources.map((s) => s.name)).toEqual(['tabular/mlp']);
  });
});

describe.skipIf(!hasPenguins)(`Palmer penguins (${PENGUINS ?? 'absent: run packages/plugins/tabular/scripts/fetch-test-assets.sh'})`, () => {
  it('loads three label columns with the file\'s gaps', async () => {
    const d = await csvDataset.load(OPTIONS, ctx);
    // 344 rows; two have no measurement at all and are left out.
    const sizes = [d.train.size, d.validation!.size, d.test!.size];
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(342);
    expect(sizes).toEqual([342 - 51 - 68, 51, 68]);
    expect(d.targets.species).toEqual({ kind: 'classes', classes: ['Adelie', 'Chinstrap', 'Gentoo'] });
    expect(d.targets.sex).toEqual({ kind: 'classes', classes: ['female', 'male'] });
    // Species counts in the file: 152 Adelie, 68 Chinstrap, 124 Gentoo, less one Adelie and one Gentoo row without measurements.
    const counts = [0, 0, 0];
    for (const split of [d.train, d.validation!, d.test!]) for (const c of split.targets.species!.data) counts[c]!++;
    expect(counts).toEqual([151, 68, 123]);
    // 11 rows lack sex; two of them are the rows left out, so 9 are masked.
    const unlabelled = [d.train, d.validation!, d.test!].reduce((s, e) => s + (e.targets.sex!.mask ?? new Uint8Array(e.size).fill(1)).filter((m) => m === 0).length, 0);
    expect(unlabelled).toBe(9);
    expect(d.notes).toContain('sex: 9 of 342 rows have no label in column "sex" (masked out of its loss and metrics).');
  });

  it('tabular/penguins finds the file and offers species, sex and mass from the three measurements', async () => {
    const d = await penguinsDataset.load(penguinsDataset.options.parse({}), ctx);
    expect(Object.keys(d.targets)).toEqual(['species', 'sex', 'mass']);
    expect(d.targets.mass).toMatchObject({ kind: 'values', dims: 1 });
    expect(d.train.inputs.features!.shape[1]).toBe(3);
    expect(d.train.size + d.validation!.size + d.test!.size).toBe(342);
  });

  it('trains the MLP trunk to tell the species apart (test accuracy above 0.9, loss falls)', async () => {
    const d = await csvDataset.load(OPTIONS, ctx);
    const trunk = await mlpSource.load(mlpOptionsSchema.parse({ hidden: [16, 8] }), {
      ...ctx,
      where: 'source',
      inputShape: d.train.inputs.features!.shape.slice(1),
      loadSource: () => Promise.reject(new Error('tabular/mlp loads no nested source')),
    });
    const rng = new Rng(2);
    const head = { kernel: tf.variable(tf.randomNormal([8, 3], 0, 0.1, 'float32', rng.seed())), bias: tf.variable(tf.zeros([3])) };
    const tensors = (e: typeof d.train) => ({
      x: tf.tensor2d(e.inputs.features!.data as Float32Array, e.inputs.features!.shape as [number, number]),
      y: tf.oneHot(tf.tensor1d(e.targets.species!.data as Int32Array, 'int32'), 3),
    });
    const train = tensors(d.train);
    const test = tensors(d.test!);
    const logits = (x: tf.Tensor, training: boolean) => tf.add(tf.matMul(trunk.apply({ features: x }, training), head.kernel), head.bias);
    const loss = () => tf.losses.softmaxCrossEntropy(train.y, logits(train.x, true)) as tf.Scalar;
    const before = loss().dataSync()[0]!;
    const optimizer = tf.train.adam(0.01);
    const vars = [...trunk.groups.flatMap((g) => g.variables), head.kernel, head.bias];
    for (let i = 0; i < 150; i++) optimizer.minimize(loss, false, vars);
    const after = loss().dataSync()[0]!;
    expect(after).toBeLessThan(before / 4);
    const predicted = tf.argMax(logits(test.x, false), 1).dataSync();
    const truth = d.test!.targets.species!.data;
    const accuracy = Array.from(predicted).filter((p, i) => p === truth[i]).length / truth.length;
    expect(accuracy).toBeGreaterThan(0.9);
    trunk.dispose();
  });
});
