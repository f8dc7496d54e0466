import { z } from 'zod';
import type { Strategy } from '@graft/core';

/**
 * The baseline every transfer result is judged against: the same architecture, randomly initialised,
 * every group trained. Batch normalisation uses batch statistics, as in ordinary training, and its running
 * statistics (which evaluation uses) follow them with momentum 0.9 — PyTorch's default — rather than a
 * pretrained Keras model's 0.99, which after a few hundred steps would still remember the fresh layers'
 * initial statistics and wreck evaluation. Set `bnMomentum` to override.
 */
export const scratch: Strategy = {
  name: 'scratch',
  description: 'Same architecture, random initialisation, all groups trained (the no-transfer baseline).',
  options: z.strictObject({}),
  setup(stage) {
    stage.reinitTrunk();
    stage.reinitHead();
    stage.setNormMomentum(0.9);
    stage.freezeTo(0);
  },
};
