import type { LossWeightingMethod, Weighting } from '@graft/core';
import { z } from 'zod';
import { weightedLoss } from './weighted-sum.js';

const options = z.strictObject({});

/** L = Σ_i L_i: every task weighted 1 (linear scalarisation; LibMTL's "EW"). The baseline of every comparison. */
export const equal: Weighting<z.output<typeof options>> = {
  name: 'equal',
  description: 'Sum of the task losses, every task weighted 1.',
  options,
  create({ tasks }): LossWeightingMethod {
    const weights = tasks.map(() => 1);
    return {
      kind: 'loss',
      combine: (losses) => weightedLoss(losses, weights),
      currentWeights: () => [...weights],
    };
  },
};
