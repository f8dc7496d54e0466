import { z } from 'zod';
import type { Strategy } from '@graft/core';

/**
 * Freeze the whole trunk and train only the heads. The frozen trunk runs in inference mode, so core
 * computes its features once and trains on them (feature caching).
 */
export const linearProbe: Strategy = {
  name: 'linear-probe',
  description: 'Trunk frozen, heads trained on its features (computed once and cached).',
  options: z.strictObject({}),
  setup(stage) {
    stage.freezeTo(-1);
  },
};
