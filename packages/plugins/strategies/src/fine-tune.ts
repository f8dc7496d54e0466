import { z } from 'zod';
import type { Strategy } from '@graft/core';

/**
 * Every group trains, usually with a smaller rate than from scratch. Combine with `discriminative`
 * (earlier groups slower), `headLr`, `reinitHead` and a schedule, all common stage options.
 */
export const fineTune: Strategy = {
  name: 'fine-tune',
  description: 'All groups trained; combine with discriminative rates, headLr, reinitHead and a schedule.',
  options: z.strictObject({}),
  setup(stage) {
    stage.freezeTo(0);
  },
};
