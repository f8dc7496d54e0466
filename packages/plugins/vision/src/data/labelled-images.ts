import type { Dataset, Examples } from '@graft/core';
import { z } from 'zod';
import { augmentation, augmentSchema, type AugmentSpec } from '../augment.js';

/** A pool of labelled images in memory: pixels 0..255, row-major `[N, H, W, C]`. */
export interface LabelledImages {
  pixels: Uint8Array | Float32Array;
  /** `[H, W, C]` of one image. */
  imageShape: [number, number, number];
  /** Label columns by target name (class indices). */
  targets: Record<string, Int32Array>;
}

/** The samples at `indices` as a split: `image` float32 `[n, H, W, C]` in 0..255 plus each target. */
export function takeExamples(pool: LabelledImages, indices: ArrayLike<number>): Examples {
  const [h, w, c] = pool.imageShape;
  const per = h * w * c;
  const n = indices.length;
  const image = new Float32Array(n * per);
  const targets: Examples['targets'] = {};
  for (const name of Object.keys(pool.targets)) targets[name] = { data: new Int32Array(n), shape: [n] };
  for (let i = 0; i < n; i++) {
    const idx = indices[i]!;
    image.set(pool.pixels.subarray(idx * per, (idx + 1) * per), i * per);
    for (const [name, column] of Object.entries(pool.targets)) targets[name]!.data[i] = column[idx]!;
  }
  return { size: n, inputs: { image: { data: image, shape: [n, h, w, c] } }, targets };
}

/** The seed option every image dataset with a random split accepts. */
export const seedOption = {
  /** Seed of the dataset's own split. @default the run's seed */
  seed: z.number().int().min(0).optional().describe("Seed of the dataset's split (defaults to the run's seed)."),
};

/** The `augment` option every image dataset accepts. */
export const augmentOption = {
  /**
   * Random transforms of every training batch (crop, resized crop, flip, colour jitter; seeded per step),
   * and the views a `contrastive` task compares. Frozen-trunk features are then never cached. @default none
   */
  augment: augmentSchema.optional().describe('Random crops, flips and colour jitter of training batches (and contrastive views).'),
};

/** A classification dataset of images: `label` (plus any extra class targets), train and test splits. */
export function imageDataset(parts: {
  targets: Dataset['targets'];
  train: { pool: LabelledImages; indices: ArrayLike<number> };
  test: { pool: LabelledImages; indices: ArrayLike<number> };
  notes?: string[];
  /** The dataset's `augment` option. */
  augment?: AugmentSpec;
}): Dataset {
  return {
    ...(parts.augment ? { augment: augmentation(parts.augment) } : {}),
    modality: 'image',
    targets: parts.targets,
    defaultTarget: 'label',
    train: takeExamples(parts.train.pool, parts.train.indices),
    test: takeExamples(parts.test.pool, parts.test.indices),
    notes: parts.notes ?? [],
  };
}

/** 0, 1, …, n − 1. */
export function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
