import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classificationTask, nodeEnvironment, prepareData, silentLogger, type Dataset, type DatasetContext } from '@graft/core/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvDataset } from './dataset.js';
import { csvOptionsSchema } from './options.js';

/**
 * Ten pets: two numeric features (one value missing), one categorical feature, and three label columns
 * with gaps: `kind` (classes), `friendly` (classes, two missing), `weight` (values, one missing).
 */
const PETS = `height,length,colour,kind,friendly,weight
10,40,black,cat,yes,4.0
12,44,white,cat,no,4.5
30,90,black,dog,yes,20
35,NA,brown,dog,NA,25
8,35,white,cat,yes,3.5
40,100,brown,dog,yes,
28,85,black,dog,no,18
11,42,brown,cat,,4.2
NA,NA,black,cat,yes,4.1
33,95,white,dog,yes,22
`;

let dir: string;
const ctx = (): DatasetContext => ({ configDir: dir, seed: 7, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' });
const load = (options: object): Promise<Dataset> => csvDataset.load(csvOptionsSchema.parse({ path: 'pets.csv', ...options }), ctx());
const ALL_TRAIN = { validation: 0, test: 0 };
const TARGETS = { kind: { kind: 'classes' }, friendly: { kind: 'classes' }, weight: { kind: 'values' } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graft-tabular-'));
  await writeFile(join(dir, 'pets.csv'), PETS);
  await writeFile(join(dir, 'empty-label.csv'), 'x,y\n1,NA\n2,\n3,NA\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('tabular/csv', () => {
  it('reads several label columns, masking missing labels', async () => {
    const d = await load({ features: ['height', 'length'], targets: TARGETS, split: ALL_TRAIN, standardize: false });
    expect(d.modality).toBe('table');
    expect(d.defaultTarget).toBe('kind');
    expect(d.targets).toEqual({
      kind: { kind: 'classes', classes: ['cat', 'dog'] },
      friendly: { kind: 'classes', classes: ['no', 'yes'] },
      weight: { kind: 'values', dims: 1, names: ['weight'] },
    });
    // The row with no feature at all (NA, NA) is left out: 9 rows remain, in file order.
    expect(d.train.size).toBe(9);
    expect(Array.from(d.train.targets.kind!.data)).toEqual([0, 0, 1, 1, 0, 1, 1, 0, 1]);
    expect(d.train.targets.kind!.mask).toBeUndefined();
    expect(Array.from(d.train.targets.friendly!.mask!)).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 1]);
    expect(Array.from(d.train.targets.weight!.mask!)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1]);
    expect(d.train.targets.weight!.data).toBeInstanceOf(Float32Array);
    expect(d.train.targets.weight!.data[3]).toBe(25);
    expect(d.notes).toContain('pets.csv: 1 of 10 rows have no feature value at all and were left out.');
    expect(d.notes).toContain('friendly: 2 of 9 rows have no label in column "friendly" (masked out of its loss and metrics).');
  });

  it('imputes a missing feature with the training mean and says so', async () => {
    const d = await load({ features: ['height', 'length'], targets: TARGETS, split: ALL_TRAIN, standardize: false });
    // length over the 8 rows that have it: (40+44+90+35+100+85+42+95)/8 = 66.375.
    const x = d.train.inputs.features!;
    expect(x.shape).toEqual([9, 2]);
    expect(x.data[3 * 2 + 1]).toBeCloseTo(66.375, 5);
    expect(d.notes).toContain('length: 1 missing values (train 1, validation 0, test 0) imputed with the training mean 66.375.');
  });

  it('standardises features with training statistics only', async () => {
    const d = await load({ features: ['height'], targets: TARGETS, split: { validation: 0.2, test: 0.2, seed: 3 } });
    const train = Array.from(d.train.inputs.features!.data);
    const mean = train.reduce((s, v) => s + v, 0) / train.length;
    const variance = train.reduce((s, v) => s + (v - mean) ** 2, 0) / train.length;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 5);
    // A held-out value maps through the training mean and std, recomputed here from the raw heights.
    const raw = await load({ features: ['height'], targets: TARGETS, split: { validation: 0.2, test: 0.2, seed: 3 }, standardize: false });
    const rawTrain = Array.from(raw.train.inputs.features!.data);
    const m = rawTrain.reduce((s, v) => s + v, 0) / rawTrain.length;
    const s = Math.sqrt(rawTrain.reduce((acc, v) => acc + (v - m) ** 2, 0) / rawTrain.length);
    expect(d.test!.inputs.features!.data[0]).toBeCloseTo((raw.test!.inputs.features!.data[0]! - m) / s, 5);
  });

  it('refits standardisation on the rows left for training after core carves validation from them', async () => {
    const options = csvOptionsSchema.parse({ path: 'pets.csv', features: ['height'], targets: TARGETS, split: ALL_TRAIN });
    const task = { name: 'kind', type: classificationTask, target: 'kind', head: { hidden: [], dropout: 0 } };
    const data = await prepareData([{ ...task, data: { plugin: csvDataset, options, validation: 0.4, key: 'k', where: 'tasks[0].data' } }], {
      seed: 4,
      configDir: dir,
      env: nodeEnvironment(),
    });
    const { train, validation } = data.groups[0]!.dataset;
    const x = Array.from(train.inputs.features!.data);
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 5);
    // Held-out rows go through the training rows' raw mean and std (heights of the file, by row id).
    const heights = [10, 12, 30, 35, 8, 40, 28, 11, 33];
    const rawTrain = Array.from(train.rows!, (r) => heights[r]!);
    const m = rawTrain.reduce((a, v) => a + v, 0) / rawTrain.length;
    const sd = Math.sqrt(rawTrain.reduce((a, v) => a + (v - m) ** 2, 0) / rawTrain.length);
    Array.from(validation!.rows!).forEach((r, i) => expect(validation!.inputs.features!.data[i]).toBeCloseTo((heights[r]! - m) / sd, 5));
    expect(data.notes).toContain(`tasks[0].data: features standardised and missing values imputed with statistics of the ${train.size} final training rows only.`);
  });

  it('splits by a seeded shuffle: reproducible, disjoint, sized by the fractions', async () => {
    const options = { features: ['height', 'length'], targets: TARGETS, split: { validation: 0.2, test: 0.3, seed: 11 }, standardize: false };
    const a = await load(options);
    const b = await load(options);
    const c = await load({ ...options, split: { validation: 0.2, test: 0.3, seed: 12 } });
    expect([a.train.size, a.validation!.size, a.test!.size]).toEqual([4, 2, 3]); // 9 rows: test round(2.7) = 3, validation round(1.8) = 2
    const rows = (d: Dataset) => [d.train, d.validation!, d.test!].map((e) => Array.from(e.inputs.features!.data).join());
    expect(rows(a)).toEqual(rows(b));
    expect(rows(a)).not.toEqual(rows(c));
    const heights = [a.train, a.validation!, a.test!].flatMap((e) => Array.from(e.inputs.features!.data).filter((_, i) => i % 2 === 0));
    expect(heights.sort((x, y) => x - y)).toEqual([8, 10, 11, 12, 28, 30, 33, 35, 40]);
  });

  it('one-hot encodes a categorical feature with the training categories', async () => {
    const d = await load({ features: ['height', { column: 'colour', kind: 'categorical' }], targets: TARGETS, split: ALL_TRAIN, standardize: false });
    // The row without height and length now has a feature (its colour), so all 10 rows stay.
    expect(d.train.inputs.features!.shape).toEqual([10, 4]);
    expect(d.notes).toContain('features (4): height, colour=black, colour=brown, colour=white.');
    expect(Array.from(d.train.inputs.features!.data.subarray(0, 8))).toEqual([10, 1, 0, 0, 12, 0, 0, 1]);
  });

  it('refuses a CSV over 512 MiB, and a folder, before reading anything', async () => {
    await writeFile(join(dir, 'huge.csv'), '');
    await truncate(join(dir, 'huge.csv'), 600 * 2 ** 20); // sparse
    const huge = csvDataset.load(csvOptionsSchema.parse({ path: 'huge.csv', features: ['x'], targets: { y: { kind: 'values' } } }), ctx());
    await expect(huge).rejects.toThrow('GRAFT_DATA_INVALID: CSV file ' + join(dir, 'huge.csv') + ' has 629145600 bytes, more than the 536870912-byte cap');
    await expect(csvDataset.load(csvOptionsSchema.parse({ path: '.', features: ['x'], targets: { y: { kind: 'values' } } }), ctx())).rejects.toThrow(/is a folder, not a CSV file/);
  });

  it('names a missing column and lists the available ones', async () => {
    await expect(load({ features: ['height', 'lenth'], targets: TARGETS })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_DATA_INVALID: pets.csv has no column "lenth" at tasks[0].data. Valid choices: height, length, colour, kind, friendly, weight. Did you mean "length"?]`,
    );
    await expect(load({ features: ['height'], targets: { mood: { kind: 'classes' } } })).rejects.toThrowError(/pets.csv has no column "mood"/);
  });

  it('refuses a label column that is entirely missing', async () => {
    await expect(
      csvDataset.load(csvOptionsSchema.parse({ path: 'empty-label.csv', features: ['x'], targets: { y: { kind: 'values' } } }), ctx()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_DATA_INVALID: Target "y": column "y" of empty-label.csv has no labels, all 3 rows are missing ("NA", "") at tasks[0].data.targets.y. Pick a column with labels, or remove the target.]`,
    );
  });

  it('refuses text in a numeric feature, labels outside `classes`, and an unknown defaultTarget', async () => {
    await expect(load({ features: ['colour'], targets: TARGETS })).rejects.toThrowError(
      /feature column "colour" holds "black" on data row 1, which is not a number\. List it under `missing`/,
    );
    await expect(load({ features: ['height'], targets: { kind: { kind: 'classes', classes: ['cat', 'bird'] } } })).rejects.toThrowError(
      /GRAFT_LABELS_MISMATCH: Target "kind": column "kind" holds labels not in `classes`: "dog"/,
    );
    await expect(load({ features: ['height'], targets: TARGETS, defaultTarget: 'size' })).rejects.toThrowError(/defaultTarget "size" is not one of the targets/);
  });

  it('says how to get the penguins file when it is absent, and rejects bad options', async () => {
    await expect(load({ path: 'data/penguins.csv', features: ['x'], targets: TARGETS })).rejects.toThrowError(
      /GRAFT_DATA_NOT_FOUND: CSV file .*data\/penguins.csv does not exist at tasks\[0\]\.data\.path\. The Palmer penguins CSV ships in Debian's r-cran-palmerpenguins: `apt-get install r-cran-palmerpenguins`/,
    );
    await expect(load({ path: 'nope.csv', features: ['x'], targets: TARGETS })).rejects.toThrowError(/relative path is resolved against the directory of the config file/);
    expect(csvOptionsSchema.safeParse({ path: 'a.csv', features: ['x'], targets: TARGETS, split: { validation: 0.6, test: 0.5 } }).success).toBe(false);
    expect(csvOptionsSchema.safeParse({ path: 'a.csv', features: ['x'], targets: TARGETS, extra: 1 }).success).toBe(false);
    expect(csvOptionsSchema.safeParse({ path: 'a.csv', features: [], targets: TARGETS }).success).toBe(false);
  });
});
