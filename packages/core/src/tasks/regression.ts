import * as tf from '@tensorflow/tfjs';
import type { TaskType } from '../task.js';
import { regressionErrors } from '../metrics/regression.js';

/**
 * Real-valued targets: mean squared error. The loop standardises targets with the training split's mean
 * and standard deviation before the loss and maps outputs back before metrics, so MAE and MSE are in the
 * data's own units and tasks of different scales can share a trunk.
 */
export const regressionTask: TaskType = {
  name: 'regression',
  description: 'Real-valued targets (mean squared error; MAE and MSE reported in the data’s units).',
  checkTarget: (info) => (info.kind === 'values' ? undefined : 'regression needs a numeric column, and this one holds class labels'),
  headSize: (info) => (info.kind === 'values' ? info.dims : 0),
  loss(output, target, mask) {
    return tf.tidy(() => {
      const t = tf.reshape(target, output.shape);
      const perSample = tf.mean(tf.square(tf.sub(output, t)), 1);
      return tf.div(tf.sum(tf.mul(perSample, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    });
  },
  evaluate(output, _headSize, target) {
    return regressionErrors(output, target);
  },
  primaryMetric: { name: 'mae', higherIsBetter: false },
  describePrediction(output, info) {
    const names = info.kind === 'values' ? info.names : undefined;
    return names ? Object.fromEntries(Array.from(output, (v, i) => [names[i] ?? String(i), v])) : Array.from(output);
  },
};
