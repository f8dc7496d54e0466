import { existsSync } from 'node:fs';
import { readFile as readTextFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GraftError, deriveSeed, type Dataset, type DatasetProvider, type ResourceStore } from '@graft/core';
import { parseIdx, readIdx, type IdxArray } from './idx.js';
import { FASHION_MNIST_BASE_URL, FASHION_MNIST_NAMES, fashionMnistFile, type FashionMnistName } from './public-files.js';
import { allIndices, imageDataset, seedOption, type LabelledImages, augmentOption } from './labelled-images.js';
import { holdOutPerClass } from './split.js';

/** Where Debian's `dataset-fashion-mnist` package installs the four IDX files (one place the default looks). */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's classes, in label order (Xiao et al. 2017). */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** A coarser second target for multi-task runs: tops, footwear, other (index = label). */
const GROUPINGS = {
  'tops-footwear-other': { classes: ['tops', 'footwear', 'other'], of: [0, 2, 0, 2, 0, 1, 0, 1, 2, 1] },
} as const;

const options = z.strictObject({
  ...augmentOption,
  /**
   * Directory holding the IDX files (`train-images-idx3-ubyte[.gz]` …).
   * @default the public files, from the cache, Debian's dataset-fashion-mnist, `GRAFT_MIRROR` or the network
   */
  path: z.string().min(1).optional().describe('Directory of the IDX files (default: the public files, downloaded once into the cache).'),
  ...seedOption,
  /** Training samples kept, stratified and seeded (e.g. a smaller unlabelled pool for self-supervised pretraining). @default all 60,000 */
  trainSize: z.number().int().min(10).max(60000).optional().describe('Training images kept (stratified, seeded).'),
  /** Test samples kept, stratified and seeded. @default all 10,000 */
  testSize: z.number().int().min(10).max(10000).optional().describe('Test images kept (stratified, seeded).'),
  /**
   * A JSON file of exact indices (`{ fashion: { train: { <seed>: { <shots>: [...] } }, test: [...] } }`),
   * as in shared/reference/fashion-mnist-splits.json; `shots` and `seed` pick the training list.
   */
  splitsFile: z.string().min(1).optional().describe('JSON file with exact train/test index lists.'),
  /** Labelled images per class of the `splitsFile` list to use (10 or 100 in the reference file). @default the run's `perClass` */
  shots: z.number().int().min(1).optional().describe('Which training list of splitsFile: images per class.'),
  /** Adds a second target, `group`. */
  grouping: z.enum(Object.keys(GROUPINGS) as ['tops-footwear-other']).optional().describe('Second target: tops / footwear / other.'),
});

export type FashionMnistOptions = z.output<typeof options>;

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * Fashion-MNIST from its IDX files: 28×28 grey images, 10 classes, the official train/test files or exact
 * index lists. Few-shot subsampling and validation are the generic `perClass` / `validation` of every data spec.
 */
export const fashionMnist: DatasetProvider<FashionMnistOptions> = {
  name: 'vision/fashion-mnist',
  description: 'Fashion-MNIST (IDX files; downloaded once into the cache by default): 28×28 grey, 10 classes.',
  options,
  files: () => FASHION_MNIST_NAMES.map(fashionMnistFile),
  async load(o, ctx) {
    const origin: Origin = o.path ? { dir: resolve(ctx.configDir, o.path) } : { resources: ctx.env.resources };
    const seed = o.seed ?? ctx.seed;
    const where = o.path ? `${ctx.where}.path` : ctx.where;
    const [train, test] = await Promise.all([readPart(origin, 'train', where), readPart(origin, 'test', where)]);

    let trainIdx = allIndices(train.targets.label!.length);
    let testIdx = allIndices(test.targets.label!.length);
    const notes: string[] = [];
    if (o.splitsFile) {
      const file = resolve(ctx.configDir, o.splitsFile);
      ({ train: trainIdx, test: testIdx } = await readSplits(file, seed, o.shots ?? ctx.perClass, `${ctx.where}.splitsFile`));
      checkRange(trainIdx, train.targets.label!.length, file, 'train');
      checkRange(testIdx, test.targets.label!.length, file, 'test');
      notes.push(`Exact splits from ${file} (seed ${seed}, ${o.shots ?? ctx.perClass} per class).`);
    } else {
      if (o.testSize !== undefined) testIdx = holdOutPerClass(test.targets.label!, testIdx, o.testSize / testIdx.length, deriveSeed(seed, 0x7e57)).held;
      if (o.trainSize !== undefined) trainIdx = holdOutPerClass(train.targets.label!, trainIdx, o.trainSize / trainIdx.length, deriveSeed(seed, 0x7a1)).held;
    }
    const targets: Dataset['targets'] = { label: { kind: 'classes', classes: [...FASHION_CLASSES] } };
    let [trainPool, testPool] = [train, test];
    if (o.grouping) {
      const grouping = GROUPINGS[o.grouping];
      targets.group = { kind: 'classes', classes: [...grouping.classes] };
      // Copies: the parts are shared by every load in this process.
      const withGroup = (p: LabelledImages) => ({ ...p, targets: { ...p.targets, group: p.targets.label!.map((l) => grouping.of[l]!) } });
      [trainPool, testPool] = [withGroup(train), withGroup(test)];
    }
    return imageDataset({ augment: o.augment, targets, train: { pool: trainPool, indices: trainIdx }, test: { pool: testPool, indices: testIdx }, notes });
  },
};

/** A folder the user named, or the public files through the environment's resource store. */
type Origin = { dir: string } | { resources: ResourceStore };

const byFolder = new Map<string, Promise<LabelledImages>>();
const byStore = new WeakMap<ResourceStore, Map<string, Promise<LabelledImages>>>();

/** The images and labels of one part, read once per process (the train images take ~0.3 s to unzip). */
function readPart(origin: Origin, part: 'train' | 'test', where: string): Promise<LabelledImages> {
  let cache = byFolder;
  if ('resources' in origin) {
    cache = byStore.get(origin.resources) ?? new Map();
    byStore.set(origin.resources, cache);
  }
  const key = `${'dir' in origin ? origin.dir : ''}\0${part}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = readPartUncached(origin, part, where);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

function readFile(origin: Origin, name: FashionMnistName, where: string): Promise<IdxArray> {
  if ('dir' in origin) return readIdx(locate(origin.dir, name, where));
  const resource = fashionMnistFile(name);
  return origin.resources.get(resource).then((bytes) => parseIdx(bytes, resource.url));
}

async function readPartUncached(origin: Origin, part: 'train' | 'test', where: string): Promise<LabelledImages> {
  const dir = 'dir' in origin ? origin.dir : FASHION_MNIST_BASE_URL;
  const [imagesFile, labelsFile] = part === 'train' ? [FILES.trainImages, FILES.trainLabels] : [FILES.testImages, FILES.testLabels];
  const [images, labels] = await Promise.all([readFile(origin, imagesFile, where), readFile(origin, labelsFile, where)]);
  const n = images.shape[0]!;
  if (images.shape.length !== 3 || !(images.data instanceof Uint8Array) || labels.shape[0] !== n) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `The Fashion-MNIST ${part} files do not match: images [${images.shape.join(', ')}], labels [${labels.shape.join(', ')}]`,
      where: dir,
      fix: 'Use the four original IDX files',
    });
  }
  const label = Int32Array.from(labels.data as Uint8Array);
  if (label.some((l) => l < 0 || l > 9)) throw new GraftError('GRAFT_DATA_INVALID', { what: 'Fashion-MNIST labels must be 0..9', where: join(dir, labelsFile) });
  return { pixels: images.data, imageShape: [images.shape[1]!, images.shape[2]!, 1], targets: { label } };
}

function locate(dir: string, name: string, where: string): string {
  const found = [join(dir, `${name}.gz`), join(dir, name)].find((p) => existsSync(p));
  if (!found) {
    throw new GraftError('GRAFT_DATA_NOT_FOUND', {
      what: `Fashion-MNIST file ${name}(.gz) not found in ${dir}`,
      where,
      fix: 'Put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (from https://github.com/zalandoresearch/fashion-mnist) there, or leave out `path` to download them into the cache',
    });
  }
  return found;
}

/** The index lists of a splits file for one seed and one number of samples per class. */
async function readSplits(file: string, seed: number, shots: number | undefined, where: string): Promise<{ train: Int32Array; test: Int32Array }> {
  let json: any;
  try {
    json = JSON.parse(await readTextFile(file, 'utf8'));
  } catch (cause) {
    throw new GraftError(existsSync(file) ? 'GRAFT_DATA_INVALID' : 'GRAFT_DATA_NOT_FOUND', { what: 'Could not read the splits file', where: `${where} (${file})`, cause });
  }
  const splits = json?.fashion ?? json;
  const train = splits?.train;
  if (shots === undefined) {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: '`splitsFile` needs `shots` to pick a training list', where, choices: listsIn(train).map((k) => `seed/shots ${k}`) });
  }
  // The reference file nests train[seed][shots]; its note says train[shots][seed], so accept both.
  const list = train?.[seed]?.[shots] ?? train?.[shots]?.[seed];
  if (!isIndexList(list) || !isIndexList(splits?.test)) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `The splits file has no training list for seed ${seed} and shots ${shots}, or no test list`,
      where: `${where} (${file})`,
      choices: listsIn(train).map((k) => `seed/shots ${k}`),
    });
  }
  return { train: Int32Array.from(list), test: Int32Array.from(splits.test) };
}

function checkRange(indices: Int32Array, n: number, file: string, part: string): void {
  const bad = indices.find((i) => i >= n);
  if (bad !== undefined) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: `The ${part} list of the splits file holds index ${bad}, but the ${part} file has ${n} images`, where: file });
  }
}

function isIndexList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => Number.isInteger(v) && v >= 0);
}

function listsIn(train: any): string[] {
  if (!train || typeof train !== 'object') return [];
  return Object.entries(train).flatMap(([a, inner]) => Object.keys(inner as object).map((b) => `${a}/${b}`));
}
