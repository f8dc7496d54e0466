import * as tf from '@tensorflow/tfjs';
import type { Examples, HostTensor } from '../data/examples.js';
import type { PreparedData } from '../data/prepare.js';
import { GraftError } from '../errors.js';
import type { GraftModel } from '../model/graft-model.js';
import { predictSplit } from '../train/evaluate.js';

/** One task's predictions, each as the task type describes it (`{ label, probabilities }`, a value, ...). */
export interface TaskPredictions {
  task: string;
  predictions: unknown[];
}

/** Raw inputs as the dataset gives them: `{ "<input name>": [sample, ...] }`. */
export type RawInputs = Record<string, unknown[]>;

/** Predict every task for a set of examples (their labels are not read). */
export async function predictExamples(model: GraftModel, data: PreparedData, examples: Examples): Promise<TaskPredictions[]> {
  const outputs = await predictSplit(model, data, examples, data.tasks);
  return data.tasks.map((task) => {
    const out = outputs.get(task.name)!;
    const predictions = Array.from({ length: examples.size }, (_, i) =>
      task.type.describePrediction(out.subarray(i * task.headSize, (i + 1) * task.headSize), task.info),
    );
    return { task: task.name, predictions };
  });
}

/** Raw JSON inputs → examples, checked against the names and per-sample shapes the training data had. */
export function examplesFromInputs(raw: RawInputs, like: Examples, where: string): Examples {
  const expected = Object.keys(like.inputs);
  const missing = expected.filter((name) => !Array.isArray(raw[name]));
  if (missing.length > 0 || typeof raw !== 'object' || raw === null) {
    throw new GraftError('GRAFT_USAGE', {
      what: `The inputs lack ${missing.map((m) => `"${m}"`).join(', ')}`,
      where,
      why: 'The model reads the inputs its training data had, one array of samples per input name.',
      fix: `Pass { ${expected.map((n) => `"${n}": [sample, ...]`).join(', ')} }`,
    });
  }
  const inputs: Record<string, HostTensor> = {};
  let size: number | undefined;
  for (const name of expected) {
    const samples = raw[name]!;
    const sampleShape = like.inputs[name]!.shape.slice(1);
    let t: tf.Tensor;
    try {
      t = tf.tensor(samples as number[]);
    } catch (cause) {
      throw new GraftError('GRAFT_USAGE', { what: `Input "${name}" is not a rectangular array of numbers`, where, fix: 'Give each sample as nested arrays of numbers', cause });
    }
    const got = t.shape.slice(1);
    if (got.join(',') !== sampleShape.join(',')) {
      t.dispose();
      throw new GraftError('GRAFT_USAGE', {
        what: `Input "${name}" has samples of shape [${got.join(', ')}], the model expects [${sampleShape.join(', ')}]`,
        where,
        fix: 'Give the samples raw, as the dataset gives them (before preprocessing)',
      });
    }
    const data = t.dataSync();
    inputs[name] = { data: like.inputs[name]!.data instanceof Int32Array ? Int32Array.from(data) : Float32Array.from(data), shape: t.shape };
    t.dispose();
    if (size !== undefined && size !== t.shape[0]) {
      throw new GraftError('GRAFT_USAGE', { what: `The inputs hold different numbers of samples (${size} and ${t.shape[0]})`, where, fix: 'Give every input the same number of samples' });
    }
    size = t.shape[0]!;
  }
  return { size: size ?? 0, inputs, targets: {} };
}
