import { z } from 'zod';
import type { Strategy } from '@graft/core';

const options = z.strictObject({
  /** Epochs between thawing one more group. @default 1 */
  every: z.number().int().positive().default(1).describe('Epochs between thawing one more group.'),
});

/**
 * Gradual unfreezing (Howard & Ruder 2018, ULMFiT §3.2): train only the head first, then thaw one more
 * group from the top every `every` epochs, so the earliest, most general features change last and least.
 * Pair with `discriminative: { factor: 2.6 }` and `schedule: slanted-triangular` for the full recipe.
 */
export const gradualUnfreeze: Strategy<z.output<typeof options>> = {
  name: 'gradual-unfreeze',
  description: 'Head first, then one more group thawed from the top every `every` epochs (ULMFiT).',
  options,
  defaultEpochs: (groups, o) => groups * o.every,
  setup(stage) {
    stage.freezeTo(-1);
  },
  onEpochStart(stage, epoch) {
    const thawed = 1 + Math.floor(epoch / stage.options.every);
    stage.freezeTo(Math.max(0, stage.groups.length - thawed));
  },
};
