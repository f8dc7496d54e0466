import * as tf from '@tensorflow/tfjs';
import { stepTasks, type StepInfo } from '@graft/core';

/**
 * Σ_k w'_{t_k} L_k over the step's present tasks t_k, differentiable in the losses (weights are constants).
 * `weights` holds one weight per task in config order. When only some tasks are present (task sampling),
 * their weights are rescaled so their mean equals the mean weight of all tasks: the ratios between present
 * tasks stay as configured and a step's loss keeps the scale of a step with every task.
 */
export function weightedLoss(losses: readonly tf.Scalar[], weights: readonly number[], step?: StepInfo): tf.Scalar {
  const present = presentWeights(weights, step);
  return tf.tidy(() => tf.addN(losses.map((l, k) => tf.mul(l, present[k]!))) as tf.Scalar);
}

/** The weights of a step's present tasks, renormalised as `weightedLoss` describes. */
export function presentWeights(weights: readonly number[], step?: StepInfo): number[] {
  const tasks = stepTasks(step, weights.length);
  const picked = tasks.map((i) => weights[i]!);
  if (tasks.length === weights.length) return picked;
  const presentSum = picked.reduce((s, w) => s + w, 0);
  const meanAll = weights.reduce((s, w) => s + w, 0) / weights.length;
  return presentSum > 0 ? picked.map((w) => (w * meanAll * tasks.length) / presentSum) : picked;
}
