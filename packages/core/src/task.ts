import type * as tf from '@tensorflow/tfjs';
import type { Augmentation, HostTensor, TargetInfo } from './data/examples.js';
import type { NamedVariable, Trunk } from './model/trunk.js';
import type { Rng } from './train/rng.js';

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
  /**
   * Set for a self-supervised (pretext) task, whose targets come from the inputs: masked-language modelling,
   * contrastive views. Its head runs the trunk itself on inputs it corrupts or augments, so the loop never
   * reads a label column for it, never caches trunk features while it trains, and reports its loss only.
   */
  pretext?: PretextSpec;
}

/** How a self-supervised task type builds its head over a run's trunk. */
export interface PretextSpec {
  /** A fresh head over `trunk`; throws a GraftError when the trunk is not one this task can train. */
  createHead(context: PretextContext): PretextHead;
}

/** What a self-supervised head is built from. */
export interface PretextContext {
  trunk: Trunk;
  rng: Rng;
  task: string;
  /** The task's `head` settings from the config (hidden widths, dropout), for heads that have such layers. */
  head: { hidden: readonly number[]; dropout: number };
  /** The augmentation of the task's dataset (its `augment` option), for tasks that contrast augmented views. */
  augment?: Augmentation;
  /** Config path of the task, for errors (`tasks[0]`). */
  where: string;
}

/**
 * The head of a self-supervised task. It owns the step from a batch of raw dataset inputs to the loss:
 * make the targets from the inputs (masking, two augmented views), run the trunk, score.
 */
export interface PretextHead {
  readonly variables: tf.Variable[];
  /** The head's weights with stable keys, for checkpoints. */
  weights(): NamedVariable[];
  /**
   * Mean loss over one batch of raw dataset inputs on the host (`[batch, ...]` per input name; host data so
   * that masks can be drawn without reading tensors back). Everything random (which tokens are masked, the
   * augmentations, dropout) is drawn from `seed`, so a step is reproduced exactly on resume. Runs inside a
   * gradient tape: synchronous, tensors it makes are tidied by the caller.
   */
  loss(inputs: Record<string, HostTensor>, training: boolean, seed: number): tf.Scalar;
  reinitialize(rng: Rng): void;
  dispose(): void;
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
