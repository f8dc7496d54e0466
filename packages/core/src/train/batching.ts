import type * as tf from '@tensorflow/tfjs';
import type { Batch, DataGroup } from '../data/prepare.js';
import type { TrunkSplit } from '../model/trunk.js';
import type { Rng } from './rng.js';

export type CacheMode = { kind: 'none' } | { kind: 'features' } | { kind: 'prefix'; boundary: number; split: TrunkSplit };

/** A training batch, with cached trunk features or cached prefix activations when the cache is in use. */
export interface StepBatch {
  group: DataGroup;
  batch: Batch;
  features?: tf.Tensor2D;
  activations?: tf.Tensor;
  split?: TrunkSplit;
}

/** The next batch's row indices from a shuffled order, reshuffling when it runs out. */
export function nextIndices(cursor: { order: Int32Array; at: number }, size: number, batchSize: number, rng: Rng): Int32Array {
  if (cursor.at >= cursor.order.length) {
    cursor.order = rng.permutation(size);
    cursor.at = 0;
  }
  const indices = cursor.order.subarray(cursor.at, Math.min(cursor.at + batchSize, cursor.order.length));
  cursor.at += indices.length;
  return indices;
}

export function pickIndex(weights: number[], rng: Rng): number {
  let u = rng.next();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}
