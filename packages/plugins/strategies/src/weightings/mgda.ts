import type { GradientWeightingMethod, Weighting } from '@graft/core';
import { z } from 'zod';
import { combineByGram, inTaskOrder } from './gram.js';
import { minNormWeights } from './simplex.js';

const options = z.strictObject({
  /**
   * How each gradient is scaled before the min-norm problem (Sener & Koltun's code): `none`, `l2` (by its
   * norm), `loss` (by its loss), `loss+` (by loss × norm). The weights found are applied to the raw gradients.
   * @default 'none'
   */
  normalize: z.enum(['none', 'l2', 'loss', 'loss+']).default('none').describe('Gradient normalisation before the min-norm solve.'),
});

/**
 * MGDA (Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018): the update
 * is the min-norm point of the convex hull of the task gradients, Σ α_i g_i with α on the simplex, found
 * by Frank–Wolfe over the Gram matrix (their Algorithm 2; closed form for two tasks). Its direction
 * decreases every task's loss unless the point is Pareto-stationary.
 *
 * This is the exact MGDA on the shared parameters' gradients, which is what the loop hands a gradient
 * weighting. MGDA-UB, the paper's cheaper variant, solves the same problem on the gradients w.r.t. the
 * shared representation Z (one backward pass instead of T) and is an upper bound of this one; Graft does
 * not implement it because the loop does not expose Z's gradients.
 */
export const mgda: Weighting<z.output<typeof options>> = {
  name: 'mgda',
  description: 'Min-norm point of the convex hull of the task gradients (T backward passes per step).',
  reference: 'Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018',
  options,
  create({ tasks, options: { normalize } }): GradientWeightingMethod {
    let weights = tasks.map(() => 1 / tasks.length);
    return {
      kind: 'gradient',
      // Only the step's present tasks (task sampling) span the hull.
      combine: (grads, losses, step) =>
        combineByGram(grads, (gram) => {
          const norms = gram.map((row, i) => Math.sqrt(Math.max(row[i]!, 0)));
          const scale = gram.map((_, i) => {
            const n = normalize === 'l2' ? norms[i]! : normalize === 'loss' ? losses[i]! : normalize === 'loss+' ? losses[i]! * norms[i]! : 1;
            return n > 0 && Number.isFinite(n) ? n : 1;
          });
          const normalized = gram.map((row, i) => row.map((v, j) => v / (scale[i]! * scale[j]!)));
          const applied = minNormWeights(normalized);
          weights = inTaskOrder(applied, step, tasks.length);
          return applied;
        }),
      currentWeights: () => [...weights],
    };
  },
};
