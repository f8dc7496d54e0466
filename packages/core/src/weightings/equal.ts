import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { LossWeightingMethod, Weighting } from '../weighting.js';

const options = z.strictObject({});

/**
 * L = Σ_i L_i: every task weighted 1 (linear scalarisation; LibMTL's "EW"). The default of every stage and the
 * baseline of every comparison, so it lives in core: a run needs no plugin to combine its tasks.
 */
export const equal: Weighting<z.output<typeof options>> = {
  name: 'equal',
  description: 'Sum of the task losses, every task weighted 1.',
  options,
  create({ tasks }): LossWeightingMethod {
    const weights = tasks.map(() => 1);
    return {
      kind: 'loss',
      // Multiplying by 1 keeps the same graph (and bit-identical gradients) as the other loss weightings.
      combine: (losses) => tf.tidy(() => tf.addN(losses.map((l) => tf.mul(l, 1))) as tf.Scalar),
      currentWeights: () => [...weights],
    };
  },
};
