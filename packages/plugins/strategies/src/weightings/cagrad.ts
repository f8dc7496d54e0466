import type { GradientWeightingMethod, Weighting } from '@graft/core';
import { z } from 'zod';
import { combineByGram, dot, inTaskOrder, matVec } from './gram.js';
import { minimizeOnSimplex } from './simplex.js';

const options = z.strictObject({
  /** Radius of the ball around the mean gradient, as a fraction of its norm; 0 is plain averaging. @default 0.5 */
  c: z.number().min(0).default(0.5).describe('Conflict-aversion radius c (0 = mean gradient).'),
  /** Divide the update by 1 + c² so its scale stays near the mean gradient's (the authors' default). @default true */
  rescale: z.boolean().default(true).describe('Divide the update by 1 + c² (authors\' code default).'),
});

/**
 * CAGrad (Liu et al., "Conflict-Averse Gradient Descent for Multi-task Learning", NeurIPS 2021): the update
 * d maximises the worst task improvement min_i g_i·d within ‖d − g0‖ ≤ c‖g0‖ around the mean gradient g0.
 * Its dual is solved over the simplex: w* = argmin_w g_w·g0 + c‖g0‖‖g_w‖ with g_w = Σ w_i g_i, then
 * d = g0 + (c‖g0‖ / ‖g_w*‖) g_w*. The dual is convex in w, so projected gradient descent on the T
 * simplex weights (with the Gram matrix scaled to unit mean diagonal for conditioning) finds it.
 */
export const cagrad: Weighting<z.output<typeof options>> = {
  name: 'cagrad',
  description: 'Mean gradient corrected towards the worst-off task within a ball of radius c‖g0‖ (T backward passes per step).',
  reference: 'Liu et al., "Conflict-Averse Gradient Descent for Multi-task Learning", NeurIPS 2021',
  options,
  create({ tasks, options: { c, rescale } }): GradientWeightingMethod {
    let weights = tasks.map(() => 1 / tasks.length);
    return {
      kind: 'gradient',
      // Only the step's present tasks (task sampling) take part: the mean and the ball are over them.
      combine: (grads, _losses, step) =>
        combineByGram(grads, (gram) => {
          const t = grads.length;
          const mean = new Array<number>(t).fill(1 / t);
          const g0g0 = Math.max(dot(mean, matVec(gram, mean)), 0);
          const scale = gram.reduce((s, row, i) => s + row[i]!, 0) / t;
          let coefficients = mean;
          if (c > 0 && g0g0 > 0 && scale > 0) {
            const m = gram.map((row) => row.map((v) => v / scale));
            const b = matVec(m, mean); // ∂(g_w·g0)/∂w, in scaled units
            const radius = (c * Math.sqrt(g0g0)) / Math.sqrt(scale);
            const norm = (w: number[]): number => Math.sqrt(Math.max(dot(w, matVec(m, w)), 1e-20));
            const w = minimizeOnSimplex(
              (w) => dot(w, b) + radius * norm(w),
              (w) => {
                const mw = matVec(m, w);
                const n = norm(w);
                return b.map((bi, i) => bi + (radius * mw[i]!) / n);
              },
              t,
            );
            const gwNorm = norm(w) * Math.sqrt(scale);
            const lambda = gwNorm > 1e-12 * Math.sqrt(scale) ? (c * Math.sqrt(g0g0)) / gwNorm : 0;
            coefficients = mean.map((a, i) => a + lambda * w[i]!);
          }
          const divisor = rescale ? 1 + c * c : 1;
          const applied = coefficients.map((x) => x / divisor);
          weights = inTaskOrder(applied, step, tasks.length);
          return applied;
        }),
      currentWeights: () => [...weights],
    };
  },
};
