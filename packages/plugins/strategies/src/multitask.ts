import { z } from 'zod';
import type { Strategy } from '@graft/core';

/**
 * Joint training of every task with hard parameter sharing: the trunk is shared, each task has its own
 * head, and the stage's `weighting` combines task losses or gradients (equal, uncertainty, pcgrad, ...).
 * Every stage is multi-task in Graft; this strategy names the intent and trains all groups.
 */
export const multitask: Strategy = {
  name: 'multitask',
  description: 'All tasks trained jointly on a shared trunk; choose the combination with `weighting`.',
  options: z.strictObject({}),
  setup(stage) {
    stage.freezeTo(0);
  },
};
