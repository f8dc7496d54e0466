import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import type { GraftModel } from '../model/graft-model.js';
import type { TrunkSplit } from '../model/trunk.js';

/** Activations of every sample of a split: `[N, ...rowShape]` in one array. */
export interface CachedActivations {
  data: Float32Array;
  rowShape: number[];
}

/** Beyond this, activations are recomputed every step rather than held in memory. */
const MAX_CACHE_BYTES = 1024 ** 3;

/**
 * Outputs of the frozen part of the trunk for whole splits, computed once: while groups `[0, b)` are frozen
 * their output cannot change, so training the rest costs only the unfrozen part's forward and backward
 * passes. Entries are keyed by what they depend on (boundary and the frozen groups' versions) and dropped
 * when that key changes.
 */
export class ActivationCache {
  private readonly entries = new Map<Examples, CachedActivations | null>();
  private key = '';

  constructor(private readonly batchSize = 64) {}

  /** Activations for `examples` under `key`, computed by `run` per batch; undefined when too large to hold. */
  async get(examples: Examples, key: string, run: (inputs: Record<string, tf.Tensor>) => tf.Tensor): Promise<CachedActivations | undefined> {
    if (key !== this.key) {
      this.entries.clear();
      this.key = key;
    }
    if (!this.entries.has(examples)) this.entries.set(examples, await compute(examples, run, this.batchSize));
    return this.entries.get(examples) ?? undefined;
  }

  clear(): void {
    this.entries.clear();
    this.key = '';
  }
}

async function compute(examples: Examples, run: (inputs: Record<string, tf.Tensor>) => tf.Tensor, batchSize: number): Promise<CachedActivations | null> {
  let out: Float32Array | undefined;
  let rowShape: number[] = [];
  for (let start = 0; start < examples.size; start += batchSize) {
    const end = Math.min(start + batchSize, examples.size);
    const inputs = sliceInputs(examples, start, end);
    const a = tf.tidy(() => run(inputs));
    if (!out) {
      rowShape = a.shape.slice(1);
      const row = rowShape.reduce((x, y) => x * y, 1);
      if (examples.size * row * 4 > MAX_CACHE_BYTES) {
        tf.dispose([a, ...Object.values(inputs)]);
        return null;
      }
      out = new Float32Array(examples.size * row);
    }
    out.set((await a.data()) as Float32Array, start * (out.length / examples.size));
    tf.dispose([a, ...Object.values(inputs)]);
  }
  return { data: out ?? new Float32Array(0), rowShape };
}

/** Features of a frozen trunk (inference mode). */
export const trunkFeatures = (model: GraftModel) => (inputs: Record<string, tf.Tensor>) => model.features(inputs, false);

/** The frozen prefix's output for a split trunk. */
export const prefixActivations = (model: GraftModel, split: TrunkSplit) => (inputs: Record<string, tf.Tensor>) => split.prefix(model.trunk.preprocess(inputs));

/** Rows `indices` of cached activations as one tensor. */
export function gatherRows(cache: CachedActivations, indices: ArrayLike<number>): tf.Tensor {
  const row = cache.rowShape.reduce((a, b) => a * b, 1);
  const rows = new Float32Array(indices.length * row);
  for (let i = 0; i < indices.length; i++) rows.set(cache.data.subarray(indices[i]! * row, (indices[i]! + 1) * row), i * row);
  return tf.tensor(rows, [indices.length, ...cache.rowShape]);
}

/** Inputs of samples `[start, end)` as tensors (uint8 data becomes float32). */
export function sliceInputs(examples: Examples, start: number, end: number): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(examples.inputs).map(([name, t]) => {
      const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
      const data = t.data.subarray(start * row, end * row);
      const values = data instanceof Uint8Array ? Float32Array.from(data) : data;
      return [name, tf.tensor(values, [end - start, ...t.shape.slice(1)], values instanceof Int32Array ? 'int32' : 'float32')];
    }),
  );
}
