import type * as tf from '@tensorflow/tfjs';
import type { ZodType } from 'zod';
import type { Rng } from './train/rng.js';

/** Where the loop is when it asks a weighting to combine. */
export interface StepInfo {
  /** Step within the stage, from 0. */
  step: number;
  epoch: number;
  stepsPerEpoch: number;
  /**
   * Config indices (ascending) of the tasks whose losses or gradients this step hands over. With `sampling`
   * other than `all` only the sampled dataset's tasks are present; `losses[k]` / `grads[k]` belong to task
   * `tasks[k]`. Absent means every task, in config order.
   */
  tasks?: readonly number[];
}

/** The config indices of the tasks a step's losses or gradients belong to: `step.tasks`, or all `count` tasks. */
export function stepTasks(step: StepInfo | undefined, count: number): readonly number[] {
  return step?.tasks ?? Array.from({ length: count }, (_, i) => i);
}

/**
 * A weighting that combines task losses into one scalar inside the gradient tape
 * (equal, static, uncertainty, DWA, RLW). It may own trainable variables (uncertainty's log-variances),
 * which the loop optimises with the stage's optimizer.
 */
export interface LossWeightingMethod {
  kind: 'loss';
  /**
   * Σ w_i L_i, or any differentiable combination. `losses[k]` is the mean loss of task `step.tasks[k]` on its
   * batch (config order). When some tasks are absent, weights are renormalised over the present ones.
   */
  combine(losses: tf.Scalar[], step: StepInfo): tf.Scalar;
  /** Extra trainable variables of the weighting, keyed for checkpoints. */
  variables?(): Record<string, tf.Variable>;
  /** Told the mean training loss of every task at the end of each epoch (DWA needs this). */
  endEpoch?(meanLosses: number[]): void;
  /** The current task weights, for logs. May be async: some backends (WebGPU in Node) only read tensors asynchronously. */
  currentWeights(): number[] | Promise<number[]>;
  /** JSON-serialisable state for checkpoints, and its restore. */
  state?(): unknown;
  restore?(state: unknown): void;
}

/**
 * A weighting that combines per-task gradients of the shared (trunk) parameters
 * (PCGrad, MGDA, CAGrad, GradNorm). It costs one backward pass per task. Head gradients are left as is.
 */
export interface GradientWeightingMethod {
  kind: 'gradient';
  /**
   * `grads[k]` is the gradient of task `step.tasks[k]` (config order) w.r.t. the shared parameters, flattened
   * into one vector `[P]`; `losses[k]` its loss. Only present tasks' gradients are handed over and combined. Returns the combined vector `[P]` the optimizer applies.
   * The loop disposes the inputs; the returned tensor is disposed by the loop too. May be async, since
   * reading the Gram matrix back to the host is asynchronous on some backends.
   */
  combine(grads: tf.Tensor1D[], losses: number[], step: StepInfo): tf.Tensor1D | Promise<tf.Tensor1D>;
  endEpoch?(meanLosses: number[]): void;
  currentWeights(): number[] | Promise<number[]>;
  state?(): unknown;
  restore?(state: unknown): void;
}

export type WeightingMethod = LossWeightingMethod | GradientWeightingMethod;

/** What a weighting gets to build its method. */
export interface WeightingContext<Options> {
  /** Task names, in config order. */
  tasks: readonly string[];
  options: Options;
  /** The run's random stream (RLW samples from it), so runs stay reproducible. */
  rng: Rng;
}

/** A named way to combine task losses or gradients (`weighting: { use: pcgrad }`). */
export interface Weighting<Options = any> {
  name: string;
  description: string;
  /** The paper it implements, cited in docs and `graft plugins`. */
  reference?: string;
  /** Options of `weighting: { use: name, ... }` (a strict zod object). */
  options: ZodType<Options>;
  create(ctx: WeightingContext<Options>): WeightingMethod;
}
