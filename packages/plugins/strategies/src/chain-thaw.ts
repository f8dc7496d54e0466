import { z } from 'zod';
import type { Strategy } from '@graft/core';

const options = z.strictObject({
  /** Epochs spent on each group alone. @default 1 */
  every: z.number().int().positive().default(1).describe('Epochs spent on each group alone.'),
});

/**
 * Chain-thaw (Felbo et al. 2017, DeepMoji §3.3): train the head alone, then each group alone from the
 * bottom up, then everything together. Groups other than the current one stay frozen.
 */
export const chainThaw: Strategy<z.output<typeof options>> = {
  name: 'chain-thaw',
  description: 'Head alone, then each group alone from the bottom up, then all groups together (DeepMoji).',
  options,
  defaultEpochs: (groups, o) => (groups + 1) * o.every,
  setup(stage) {
    stage.freezeTo(-1);
  },
  onEpochStart(stage, epoch) {
    const G = stage.groups.length;
    const phase = Math.floor(epoch / stage.options.every);
    if (phase === 0) return stage.freezeTo(-1);
    if (phase >= G) return stage.freezeTo(0);
    stage.groups.forEach((g) => (g.trainable = g.index === phase - 1));
  },
};
