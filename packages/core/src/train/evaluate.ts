import * as tf from '@tensorflow/tfjs';
import type { Examples, HostTensor } from '../data/examples.js';
import type { PreparedData } from '../data/prepare.js';
import type { GraftModel } from '../model/graft-model.js';
import type { MetricValue, Task } from '../task.js';
import { sliceInputs, type CachedActivations } from './features.js';
import { deriveSeed } from './rng.js';

export type SplitName = 'train' | 'validation' | 'test';

/** Metrics per task (loss included) on one split. */
export type TaskMetrics = Record<string, Record<string, MetricValue>>;

/** Head outputs for every sample of a split, in the data's units (regression de-standardised). */
export async function predictSplit(model: GraftModel, data: PreparedData, examples: Examples, tasks: readonly Task[], cached?: Float32Array, batchSize = 128): Promise<Map<string, Float32Array>> {
  const outputs = new Map(tasks.map((t) => [t.name, new Float32Array(examples.size * t.headSize)]));
  const fsize = model.trunk.featureSize;
  for (let start = 0; start < examples.size; start += batchSize) {
    const end = Math.min(start + batchSize, examples.size);
    const inputs = cached ? {} : sliceInputs(examples, start, end);
    const results = tf.tidy(() => {
      const features = cached ? tf.tensor2d(cached.subarray(start * fsize, end * fsize), [end - start, fsize]) : model.features(inputs, false);
      return tasks.map((task) => {
        const out = model.heads.get(task.name)!.apply(features, false);
        const scale = data.scales.get(task.name);
        return scale ? tf.add(tf.mul(out, scale.std), scale.mean) : out;
      });
    });
    tf.dispose(Object.values(inputs));
    for (const [i, task] of tasks.entries()) outputs.get(task.name)!.set((await results[i]!.data()) as Float32Array, start * task.headSize);
    tf.dispose(results);
  }
  return outputs;
}

/** Loss and the task type's metrics of every task on `split`, over labelled samples only. */
export async function evaluateSplit(
  model: GraftModel,
  data: PreparedData,
  split: SplitName,
  cachedFeatures?: (examples: Examples) => Promise<CachedActivations | undefined>,
): Promise<TaskMetrics | undefined> {
  const result: TaskMetrics = {};
  for (const group of data.groups) {
    const examples = group.dataset[split];
    if (!examples || examples.size === 0) continue;
    for (const task of group.tasks.filter((t) => t.type.pretext)) result[task.name] = { loss: await pretextLoss(model, task, examples) };
    const supervised = group.tasks.filter((t) => !t.type.pretext);
    if (supervised.length === 0) continue;
    const outputs = await predictSplit(model, data, examples, supervised, (await cachedFeatures?.(examples))?.data);
    for (const task of supervised) {
      const column = examples.targets[task.target]!;
      const output = outputs.get(task.name)!;
      const keep = labelledIndices(column.mask, examples.size);
      const out = pickRows(output, keep, task.headSize);
      const truth = pickRows(column.data, keep, column.data.length / examples.size);
      const loss = await taskLoss(task, out, truth, data.scales.get(task.name));
      result[task.name] = { loss, ...task.type.evaluate(out, task.headSize, truth, task.info) };
    }
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * A self-supervised task's mean loss over a split, in inference mode, with the same masks or views every
 * epoch (seed 0), so epochs are comparable. Batches are weighted by their size.
 */
async function pretextLoss(model: GraftModel, task: Task, examples: Examples, batchSize = 32): Promise<number> {
  const head = model.pretextHeads.get(task.name)!;
  let total = 0;
  for (let start = 0; start < examples.size; start += batchSize) {
    const end = Math.min(start + batchSize, examples.size);
    const loss = tf.tidy(() => head.loss(hostRows(examples, start, end), false, deriveSeed(0, start)));
    total += (await loss.data())[0]! * (end - start);
    loss.dispose();
  }
  return total / Math.max(examples.size, 1);
}

function hostRows(examples: Examples, start: number, end: number): Record<string, HostTensor> {
  return Object.fromEntries(
    Object.entries(examples.inputs).map(([name, t]) => {
      const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
      return [name, { data: t.data.subarray(start * row, end * row), shape: [end - start, ...t.shape.slice(1)] }];
    }),
  );
}

async function taskLoss(task: Task, output: Float32Array, truth: Float32Array | Int32Array, scale?: { mean: number; std: number }): Promise<number> {
  const n = truth.length / (task.info.kind === 'values' ? task.info.dims : 1);
  if (n === 0) return 0;
  const loss = tf.tidy(() => {
    let out = tf.tensor2d(output, [n, task.headSize]);
    let y: tf.Tensor = tf.tensor(truth, [truth.length], truth instanceof Int32Array ? 'int32' : 'float32');
    if (scale) {
      out = tf.div(tf.sub(out, scale.mean), scale.std);
      y = tf.div(tf.sub(y, scale.mean), scale.std);
    }
    return task.type.loss(out, y, tf.ones([n]));
  });
  const value = (await loss.data())[0]!;
  loss.dispose();
  return value;
}

function labelledIndices(mask: Uint8Array | undefined, size: number): number[] {
  const keep: number[] = [];
  for (let i = 0; i < size; i++) if (!mask || mask[i]) keep.push(i);
  return keep;
}

function pickRows<T extends Float32Array | Int32Array>(data: T, rows: number[], width: number): T {
  const out = new (data.constructor as new (n: number) => T)(rows.length * width);
  rows.forEach((r, i) => out.set(data.subarray(r * width, (r + 1) * width), i * width));
  return out;
}
