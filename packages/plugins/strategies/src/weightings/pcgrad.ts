import type { GradientWeightingMethod, Weighting } from '@graft/core';
import { z } from 'zod';
import { combineByGram, dot, inTaskOrder } from './gram.js';

const options = z.strictObject({
  /** Sum the projected gradients (the paper) or average them. @default 'sum' */
  reduction: z.enum(['sum', 'mean']).default('sum').describe('Combine the projected gradients by sum (paper) or mean.'),
});

/**
 * PCGrad, "Gradient Surgery for Multi-Task Learning" (Yu et al., NeurIPS 2020, Algorithm 1): for each
 * task i, and each other task j in a random order, if g_i^PC · g_j < 0 project g_i^PC onto the normal
 * plane of g_j: g_i^PC ← g_i^PC − (g_i^PC·g_j / ‖g_j‖²) g_j. The update is Σ_i g_i^PC.
 *
 * Each g_i^PC stays a linear combination Σ_k a_ik g_k of the original gradients, so the projections
 * run on the T×T Gram matrix and the device only forms the final weighted sum. The order of the other
 * tasks is drawn from the run's random stream.
 */
export const pcgrad: Weighting<z.output<typeof options>> = {
  name: 'pcgrad',
  description: 'Project each task gradient off the gradients it conflicts with (T backward passes per step).',
  reference: 'Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS 2020',
  options,
  create({ tasks, rng, options: { reduction } }): GradientWeightingMethod {
    let weights = tasks.map(() => 1);
    return {
      kind: 'gradient',
      // Only the step's present tasks (task sampling) are projected against each other.
      combine: (grads, _losses, step) =>
        combineByGram(grads, (gram) => {
          const t = grads.length;
          const coefficients = new Array<number>(t).fill(0);
          for (let i = 0; i < t; i++) {
            const a = new Array<number>(t).fill(0);
            a[i] = 1;
            const others = [...rng.permutation(t)].filter((j) => j !== i);
            for (const j of others) {
              const gjgj = gram[j]![j]!;
              if (!(gjgj > 0)) continue; // a zero gradient conflicts with nothing
              const projection = dot(a, gram.map((row) => row[j]!)); // g_i^PC · g_j
              if (projection < 0) a[j] = a[j]! - projection / gjgj;
            }
            for (let k = 0; k < t; k++) coefficients[k] = coefficients[k]! + a[k]!;
          }
          const applied = reduction === 'mean' ? coefficients.map((c) => c / t) : coefficients;
          weights = inTaskOrder(applied, step, tasks.length);
          return applied;
        }),
      currentWeights: () => [...weights],
    };
  },
};
