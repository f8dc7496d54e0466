import type { LossWeightingMethod, Weighting } from '@graft/core';
import type { Rng } from '@graft/core';
import { z } from 'zod';
import { weightedLoss } from './weighted-sum.js';

const options = z.strictObject({});

/** A standard normal draw (Box–Muller) from the run's stream, so runs stay reproducible. */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next(); // (0, 1]: log stays finite
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Random Loss Weighting (Lin et al., "Reasonable Effectiveness of Random Weighting: A Litmus Test for
 * Multi-Task Learning", TMLR 2022; first as "A Closer Look at Loss Weighting in Multi-Task Learning",
 * arXiv 2111.10603, 2021): each step draws λ̃ ~ N(0, I) and uses w = softmax(λ̃), so the weights sum to 1
 * as in the paper (equal's weights sum to K instead, so RLW's loss is about 1/K of equal's).
 */
export const rlw: Weighting<z.output<typeof options>> = {
  name: 'rlw',
  description: 'Random loss weights each step: softmax of a standard normal draw.',
  reference: 'Lin et al., "Reasonable Effectiveness of Random Weighting: A Litmus Test for Multi-Task Learning", TMLR 2022 (arXiv 2111.10603)',
  options,
  create({ tasks, rng }): LossWeightingMethod {
    let weights = tasks.map(() => 1 / tasks.length);
    return {
      kind: 'loss',
      combine(losses, step) {
        const z = tasks.map(() => standardNormal(rng));
        const max = Math.max(...z);
        const exps = z.map((v) => Math.exp(v - max));
        const total = exps.reduce((s, e) => s + e, 0);
        weights = exps.map((e) => e / total);
        return weightedLoss(losses, weights, step);
      },
      currentWeights: () => [...weights],
    };
  },
};
