import { z } from 'zod';
import type { Strategy } from '@graft/core';

/**
 * The baseline every transfer result is judged against: the same architecture, randomly initialised,
 * every group trained. Batch normalisation uses batch statistics, as in ordinary training.
 */
export const scratch: Strategy = {
  name: 'scratch',
  description: 'Same architecture, random initialisation, all groups trained (the no-transfer baseline).',
  options: z.strictObject({}),
  setup(stage) {
    stage.reinitTrunk();
    stage.reinitHead();
    stage.freezeTo(0);
  },
};
