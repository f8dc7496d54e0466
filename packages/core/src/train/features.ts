import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import type { GraftModel } from '../model/graft-model.js';

/**
 * Trunk outputs of a whole split, computed once while the trunk is frozen: training the heads then costs
 * a matrix product per step instead of a trunk forward pass. Entries are dropped when the trunk changes.
 */
export class FeatureCache {
  private readonly entries = new Map<Examples, Float32Array>();
  private version = -1;

  constructor(private readonly batchSize = 128) {}

  /** Features `[N, featureSize]` of every sample of `examples`, for the trunk at `trunkVersion`. */
  get(model: GraftModel, examples: Examples, trunkVersion: number): Float32Array {
    if (trunkVersion !== this.version) {
      this.entries.clear();
      this.version = trunkVersion;
    }
    let features = this.entries.get(examples);
    if (!features) {
      features = computeFeatures(model, examples, this.batchSize);
      this.entries.set(examples, features);
    }
    return features;
  }

  clear(): void {
    this.entries.clear();
  }
}

function computeFeatures(model: GraftModel, examples: Examples, batchSize: number): Float32Array {
  const size = model.trunk.featureSize;
  const out = new Float32Array(examples.size * size);
  for (let start = 0; start < examples.size; start += batchSize) {
    const end = Math.min(start + batchSize, examples.size);
    const inputs = sliceInputs(examples, start, end);
    const f = model.features(inputs, false);
    out.set(f.dataSync(), start * size);
    tf.dispose([f, ...Object.values(inputs)]);
  }
  return out;
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
