import { GraftError, type LossWeightingMethod, type Weighting } from '@graft/core';
import { z } from 'zod';
import { weightedLoss } from './weighted-sum.js';

const options = z.strictObject({
  /** Weight of each task by name; a task left out keeps weight 1. @default {} */
  weights: z.record(z.string(), z.number().min(0)).default({}).describe('Weight per task name; unlisted tasks weigh 1.'),
});

/** L = Σ_i w_i L_i with weights given in the config, e.g. to down-weight an auxiliary task. */
export const staticWeighting: Weighting<z.output<typeof options>> = {
  name: 'static',
  description: 'Fixed task weights from the config (unlisted tasks weigh 1).',
  options,
  create({ tasks, options: { weights } }): LossWeightingMethod {
    const unknown = Object.keys(weights).filter((name) => !tasks.includes(name));
    if (unknown.length > 0) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: `weighting "static" sets weights for ${unknown.length === 1 ? 'a task that does not exist' : 'tasks that do not exist'}: ${unknown.map((n) => `"${n}"`).join(', ')}`,
        where: 'weighting.weights',
        choices: tasks,
        fix: 'Key the weights by the names of the tasks in `tasks`.',
      });
    }
    const resolved = tasks.map((name) => weights[name] ?? 1);
    if (resolved.every((w) => w === 0)) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: 'weighting "static" gives every task weight 0',
        where: 'weighting.weights',
        why: 'The combined loss would be 0 and nothing would train.',
        fix: 'Give at least one task a positive weight.',
      });
    }
    return {
      kind: 'loss',
      combine: (losses, step) => weightedLoss(losses, resolved, step),
      currentWeights: () => [...resolved],
    };
  },
};
