import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { GraftError, deriveSeed, type DatasetProvider } from '@graft/core';
import { sklearnDigitsFile } from './public-files.js';
import { allIndices, imageDataset, seedOption, type LabelledImages, augmentOption } from './labelled-images.js';
import { holdOutPerClass } from './split.js';

const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const options = z.strictObject({
  ...augmentOption,
  /** The `digits.csv.gz` (or `.csv`) file. @default scikit-learn's public copy, from the cache, Debian's python3-sklearn, `GRAFT_MIRROR` or the network */
  path: z.string().min(1).optional().describe("scikit-learn's digits.csv.gz (default: its public copy, downloaded once into the cache)."),
  ...seedOption,
  /** Fraction of each class held out as the test split. @default 0.3 */
  testFraction: z.number().gt(0).lt(1).default(0.3).describe('Fraction of each class held out for testing.'),
});

export type DigitsOptions = z.output<typeof options>;

/**
 * scikit-learn's handwritten digits (UCI optdigits test set, Alpaydin & Kaynak 1998): 1,797 images of
 * 8×8 cells counting 0..16 set pixels, scaled to 0..255 so every image dataset shares one range.
 */
export const digits: DatasetProvider<DigitsOptions> = {
  name: 'vision/digits',
  description: "scikit-learn's 8×8 handwritten digits (1,797 images, 10 classes).",
  options,
  files: () => [sklearnDigitsFile()],
  async load(o, ctx) {
    const pool = o.path ? await readDigitsFile(resolve(ctx.configDir, o.path), `${ctx.where}.path`) : parseDigitsCsv(await ctx.env.resources.get(sklearnDigitsFile()), sklearnDigitsFile().url);
    const { kept, held } = holdOutPerClass(pool.targets.label!, allIndices(pool.targets.label!.length), o.testFraction, deriveSeed(o.seed ?? ctx.seed, 0x7e57));
    return imageDataset({
      augment: o.augment,
      targets: { label: { kind: 'classes', classes: [...DIGIT_CLASSES] } },
      train: { pool, indices: kept },
      test: { pool, indices: held },
    });
  },
};

async function readDigitsFile(file: string, where: string): Promise<LabelledImages> {
  if (!existsSync(file)) {
    throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `scikit-learn's digits.csv.gz not found at ${file}`, where, fix: 'Check `path`, or leave it out to download the public copy into the cache' });
  }
  return parseDigitsCsv(await readFile(file), file);
}

/** Rows of 64 pixel counts (0..16) and a label, comma-separated; gzip-compressed or not. */
export function parseDigitsCsv(bytes: Uint8Array, file: string): LabelledImages {
  let text: string;
  try {
    text = new TextDecoder().decode(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
  } catch (cause) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: 'The digits file is corrupt', where: file, cause });
  }
  const rows = text.split('\n').filter((line) => line.trim() !== '');
  const pixels = new Float32Array(rows.length * 64);
  const label = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const values = row.split(',').map(Number);
    if (values.length !== 65 || values.some((v, i) => !Number.isInteger(v) || v < 0 || v > (i === 64 ? 9 : 16))) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Line ${r + 1} of the digits file is not 64 pixel counts (0..16) and a label (0..9)`,
        where: file,
      });
    }
    for (let i = 0; i < 64; i++) pixels[r * 64 + i] = (values[i]! * 255) / 16;
    label[r] = values[64]!;
  });
  return { pixels, imageShape: [8, 8, 1], targets: { label } };
}
