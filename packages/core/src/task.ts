import type * as tf from '@tensorflow/tfjs';
import type { TargetInfo } from './data/examples.js';

/** A metric value: a number, or a matrix (the confusion matrix). */
export type MetricValue = number | number[][];

/**
 * A kind of task (`classification`, `regression`): how many outputs its head has, its loss and its
 * metrics. A `Task` in a config names its kind with `type`.
 */
export interface TaskType {
  name: string;
  description: string;
  /** Checks that a label column suits this kind; returns an error message, or undefined when fine. */
  checkTarget(info: TargetInfo): string | undefined;
  /** Units of the head's output layer. */
  headSize(info: TargetInfo): number;
  /**
   * Mean loss over the labelled samples. `mask` is 1 for labelled samples, 0 for missing labels;
   * a batch with no labels gives 0.
   */
  loss(output: tf.Tensor2D, target: tf.Tensor, mask: tf.Tensor1D): tf.Scalar;
  /** Metrics over a whole split, from the head's outputs (`[N, headSize]`) and labelled targets only. */
  evaluate(output: Float32Array, headSize: number, target: Float32Array | Int32Array, info: TargetInfo): Record<string, MetricValue>;
  /** The metric `graft compare` and early stopping use, and whether higher is better. */
  primaryMetric: { name: string; higherIsBetter: boolean };
  /** A prediction for one sample, for `graft predict`. */
  describePrediction(output: Float32Array, info: TargetInfo): unknown;
}

/** A task of a run, resolved from the config: what to learn and from which label column. */
export interface Task {
  name: string;
  type: TaskType;
  /** Label column in the dataset. */
  target: string;
  info: TargetInfo;
  /** Index of the data group (tasks reading the same dataset share one). */
  dataGroup: number;
  /** Units of the head's output layer. */
  headSize: number;
}
