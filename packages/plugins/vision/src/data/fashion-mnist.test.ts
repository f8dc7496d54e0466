import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { nodeEnvironment, silentLogger, type Dataset } from '@graft/core/internal';
import { FASHION_CLASSES, fashionMnist } from './fashion-mnist.js';
import { fashionMnistFile } from './public-files.js';

const SPLITS = new URL('../../../../../../shared/reference/fashion-mnist-splits.json', import.meta.url).pathname;
// Debian's copy (installed, or unpacked by scripts/test-assets.sh). Missing: these tests skip, except in CI where they fail.
const DEBIAN_TRAIN_IMAGES = fashionMnistFile('train-images-idx3-ubyte').localCopies!.find((p) => existsSync(p));
const available = DEBIAN_TRAIN_IMAGES !== undefined || !!process.env.CI;
const ctx = { configDir: process.cwd(), seed: 0, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' };
if (!available) console.warn('Skipping the Fashion-MNIST tests: Debian\'s dataset-fashion-mnist is missing (run scripts/test-assets.sh as root).');

const counts = (labels: ArrayLike<number>, k: number) => {
  const c = new Array(k).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]!]++;
  return c;
};

describe('vision/fashion-mnist', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'graft-fashion-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('says how to get the files when they are absent', async () => {
    const e = await fashionMnist.load(fashionMnist.options.parse({ path: tmp }), ctx).catch((x: unknown) => x);
    expect((e as Error).message).toBe(
      `GRAFT_DATA_NOT_FOUND: Fashion-MNIST file train-images-idx3-ubyte(.gz) not found in ${tmp} at tasks[0].data.path. ` +
        'Put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (from https://github.com/zalandoresearch/fashion-mnist) there, ' +
        'or leave out `path` to download them into the cache.',
    );
  });

  describe.skipIf(!available)('on the Debian files', () => {
    it('uses the exact reference splits: 10 per class for seed 0, and the fixed 2,000 test images', async () => {
      const d = await fashionMnist.load(fashionMnist.options.parse({ splitsFile: SPLITS, shots: 10, seed: 0 }), ctx);
      const splits = JSON.parse(await readFile(SPLITS, 'utf8'));
      expect(d.train.size).toBe(100);
      expect(d.test!.size).toBe(2000);
      expect(counts(d.train.targets.label!.data, 10)).toEqual(new Array(10).fill(10));
      expect(counts(d.test!.targets.label!.data, 10)).toEqual(new Array(10).fill(200));
      expect(d.train.inputs.image!.shape).toEqual([100, 28, 28, 1]);
      // Image i of the split is image splits.train[0][10][i] of the IDX file, read here by offset.
      const raw = gunzipSync(await readFile(DEBIAN_TRAIN_IMAGES!));
      const want = splits.fashion.train['0']['10'][7] as number;
      const got = Array.from((d.train.inputs.image!.data as Float32Array).subarray(7 * 784, 8 * 784));
      expect(got).toEqual(Array.from(raw.subarray(16 + want * 784, 16 + (want + 1) * 784)));
      expect(d.targets.label).toEqual({ kind: 'classes', classes: FASHION_CLASSES });
    });

    it('keeps a seeded, stratified test subset and adds the tops/footwear/other target', async () => {
      // One load at a time: each holds the 60,000 training images as float32 (188 MB).
      const load = (seed: number) => fashionMnist.load(fashionMnist.options.parse({ testSize: 500, seed, grouping: 'tops-footwear-other' }), ctx);
      const testHead = (d: Dataset) => Array.from(d.test!.inputs.image!.data.subarray(0, 5000));
      const otherSeed = testHead(await load(4));
      const a = await load(3);
      expect(a.train.size).toBe(60000);
      expect(counts(a.test!.targets.label!.data, 10)).toEqual(new Array(10).fill(50));
      expect(testHead(a)).not.toEqual(otherSeed);
      expect(a.targets.group).toEqual({ kind: 'classes', classes: ['tops', 'footwear', 'other'] });
      const label = a.train.targets.label!.data;
      const group = a.train.targets.group!.data;
      const names = ['tops', 'footwear', 'other'];
      for (let i = 0; i < label.length; i += 97) {
        const cls = FASHION_CLASSES[label[i]!]!;
        const expected = ['T-shirt/top', 'Pullover', 'Coat', 'Shirt'].includes(cls) ? 'tops' : ['Sandal', 'Sneaker', 'Ankle boot'].includes(cls) ? 'footwear' : 'other';
        expect(names[group[i]!]).toBe(expected);
      }
      // The parts shared within the process were not changed: a load without grouping has no group column.
      const plain = await fashionMnist.load(fashionMnist.options.parse({ splitsFile: SPLITS, shots: 10 }), ctx);
      expect(Object.keys(plain.train.targets)).toEqual(['label']);
    });

    it('refuses a splitsFile without shots, listing the lists it has', async () => {
      const e = await fashionMnist.load(fashionMnist.options.parse({ splitsFile: SPLITS }), ctx).catch((x: unknown) => x);
      expect((e as Error).message).toContain('`splitsFile` needs `shots` to pick a training list at tasks[0].data.splitsFile. Valid choices: seed/shots 0/10, seed/shots 0/100, seed/shots 1/10');
    });
  });
});
