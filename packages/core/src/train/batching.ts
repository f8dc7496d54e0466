import * as tf from '@tensorflow/tfjs';
import type { StageOptions } from '../config/stage-options.js';
import { gatherBatch, type Batch, type DataGroup, type PreparedData } from '../data/prepare.js';
import type { GraftModel } from '../model/graft-model.js';
import type { TrunkSplit } from '../model/trunk.js';
import { gatherRows, type CachedActivations } from './features.js';
import type { Rng } from './rng.js';
import type { TrunkCaches } from './trunk-caches.js';

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

/** Steps per epoch: the largest group's batches when every group steps together, else all groups' batches. */
export function stepsPerEpoch(data: PreparedData, batchSize: number, sampling: string): number {
  const counts = data.groups.map((g) => Math.ceil(g.dataset.train.size / batchSize));
  return sampling === 'all' ? Math.max(...counts) : counts.reduce((a, b) => a + b, 0);
}

/** How often each data group is drawn (`sampling`: proportional to size, uniform, or size^(1/T)). */
export function samplingWeights(data: PreparedData, sampling: string, temperature: number): number[] {
  const sizes = data.groups.map((g) => g.dataset.train.size);
  const raw = sizes.map((n) => (sampling === 'uniform' ? 1 : sampling === 'temperature' ? n ** (1 / temperature) : n));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/** Which cached activations this epoch can train on: the whole frozen trunk's, a frozen prefix's, or none. */
export function cacheMode(model: GraftModel, data: PreparedData, options: StageOptions): CacheMode {
  if (!options.cacheFeatures || data.tasks.some((t) => t.type.pretext) || data.groups.some((g) => g.dataset.augment)) return { kind: 'none' };
  if (model.trunkFrozen) return { kind: 'features' };
  const boundary = model.groups.findIndex((g) => g.trainable);
  if (options.bn === 'train' || boundary <= 0) return { kind: 'none' };
  const split = model.trunk.split?.(boundary);
  return split ? { kind: 'prefix', boundary, split } : { kind: 'none' };
}

/** The next batch of data group `group`: its rows gathered, augmented, or read from the cached activations. */
export async function nextBatch(
  group: DataGroup,
  data: PreparedData,
  cursor: { order: Int32Array; at: number },
  batchSize: number,
  rng: Rng,
  mode: CacheMode,
  caches: TrunkCaches,
): Promise<StepBatch> {
  const train = group.dataset.train;
  const indices = nextIndices(cursor, train.size, batchSize, rng);
  let cached: CachedActivations | undefined;
  if (mode.kind === 'features') cached = await caches.trunkFeatures(train);
  if (mode.kind === 'prefix') cached = await caches.prefixActivations(train, mode.boundary, mode.split);
  const batch = gatherBatch(cached ? { ...train, inputs: {} } : train, indices, group.tasks, data.scales);
  const augment = group.dataset.augment;
  if (augment && !cached) {
    const raw = batch.inputs;
    const seed = rng.seed();
    batch.inputs = tf.tidy(() => augment(raw, seed));
    tf.dispose(Object.values(raw).filter((t) => !Object.values(batch.inputs).includes(t)));
  }
  if (!cached) return { group, batch };
  const rows = gatherRows(cached, indices);
  batch.inputs = { cached: rows };
  return mode.kind === 'features' ? { group, batch, features: rows as tf.Tensor2D } : { group, batch, activations: rows, split: (mode as { split: TrunkSplit }).split };
}
