import * as tf from '@tensorflow/tfjs';
import { stepTasks, type LossWeightingMethod, type Weighting } from '@graft/core';
import { z } from 'zod';

const options = z.strictObject({
  /** Starting log-variance s_i of every task; 0 means weight 1. @default 0 */
  init: z.number().min(-10).max(10).default(0).describe('Initial log-variance of every task (0 = weight 1).'),
});

/**
 * Homoscedastic uncertainty weighting (Kendall, Gal & Cipolla, CVPR 2018):
 * L = Σ_i exp(−s_i) L_i + s_i, with one trainable log-variance s_i = log σ_i² per task, learned by the
 * stage's optimizer along with the model.
 *
 * The paper writes ½·exp(−s)·L + ½·s for regression (Gaussian likelihood) and exp(−s)·L + ½·s for
 * classification (Boltzmann likelihood). We use exp(−s)·L + s for every task, as most MTL benchmarks do
 * (the weighting only receives losses, not task kinds). At the optimum in s both of the paper's forms give
 * the task an effective weight 1/(2 L_i), and ours gives 1/L_i to every task: the relative weights of
 * the tasks are the same, only the overall scale (×2) and the pace at which s adapts differ.
 */
export const uncertainty: Weighting<z.output<typeof options>> = {
  name: 'uncertainty',
  description: 'Learned per-task log-variances: Σ exp(−s_i)·L_i + s_i.',
  reference: 'Kendall, Gal & Cipolla, "Multi-Task Learning Using Uncertainty to Weigh Losses for Scene Geometry and Semantics", CVPR 2018',
  options,
  create({ tasks, options: { init } }): LossWeightingMethod {
    const logVariances = tasks.map((name) => ({ key: `uncertainty/logVariance/${name}`, variable: tf.variable(tf.scalar(init), true) }));
    return {
      kind: 'loss',
      // Absent tasks (task sampling) contribute no term: their log-variances get no gradient this step.
      combine: (losses, step) =>
        tf.tidy(() => {
          const present = stepTasks(step, tasks.length);
          const terms = losses.map((loss, k) => {
            const s = logVariances[present[k]!]!.variable;
            return tf.add(tf.mul(tf.exp(tf.neg(s)), loss), s);
          });
          return tf.addN(terms) as tf.Scalar;
        }),
      variables: () => Object.fromEntries(logVariances.map(({ key, variable }) => [key, variable])),
      // Read asynchronously: WebGPU in Node cannot read a tensor synchronously.
      currentWeights: async () => {
        const values = await Promise.all(logVariances.map(({ variable }) => variable.data<'float32'>()));
        return values.map((v) => Math.exp(-v[0]!));
      },
    };
  },
};
