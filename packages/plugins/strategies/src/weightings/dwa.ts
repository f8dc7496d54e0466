import { GraftError, type LossWeightingMethod, type Weighting } from '@graft/core';
import { z } from 'zod';
import { weightedLoss } from './weighted-sum.js';

const options = z.strictObject({
  /** Softmax temperature T; larger is closer to equal weights. @default 2 (the paper's value) */
  temperature: z.number().positive().default(2).describe('Softmax temperature (paper: 2).'),
});

interface DwaState {
  /** Mean training loss of each task in the last (at most two) epochs, oldest first. */
  history: number[][];
}

/**
 * Dynamic Weight Average (Liu, Johns & Davison, CVPR 2019):
 * w_i(t) = K · exp(r_i(t−1)/T) / Σ_j exp(r_j(t−1)/T), with r_i(t−1) = L_i(t−1) / L_i(t−2) the ratio of
 * the last two epochs' mean losses and K the number of tasks. A task whose loss falls slowly gets more
 * weight. The first two epochs use weight 1, as in the paper.
 */
export const dwa: Weighting<z.output<typeof options>> = {
  name: 'dwa',
  description: 'Dynamic Weight Average: weights from the rate at which each loss fell over the last two epochs.',
  reference: 'Liu, Johns & Davison, "End-to-End Multi-Task Learning with Attention", CVPR 2019',
  options,
  create({ tasks, options: { temperature } }): LossWeightingMethod {
    const k = tasks.length;
    let history: number[][] = [];
    let weights = tasks.map(() => 1);

    const recompute = (): void => {
      if (history.length < 2) {
        weights = tasks.map(() => 1);
        return;
      }
      const [older, newer] = history as [number[], number[]];
      // A loss that was 0 or not finite two epochs ago gives no rate; treat it as unchanged.
      const ratios = newer.map((l, i) => {
        const r = l / older[i]!;
        return Number.isFinite(r) ? r : 1;
      });
      const maxRatio = Math.max(...ratios);
      const exps = ratios.map((r) => Math.exp((r - maxRatio) / temperature));
      const total = exps.reduce((s, e) => s + e, 0);
      weights = exps.map((e) => (k * e) / total);
    };

    return {
      kind: 'loss',
      combine: (losses, step) => weightedLoss(losses, weights, step),
      endEpoch(meanLosses) {
        if (meanLosses.length !== k) {
          throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `dwa was told ${meanLosses.length} epoch losses for ${k} tasks`, choices: tasks });
        }
        history = [...history, [...meanLosses]].slice(-2);
        recompute();
      },
      currentWeights: () => [...weights],
      state: (): DwaState => ({ history: history.map((h) => [...h]) }),
      restore(state) {
        const h = (state as Partial<DwaState> | undefined)?.history;
        if (!Array.isArray(h) || h.length > 2 || h.some((row) => !Array.isArray(row) || row.length !== k)) {
          throw new GraftError('GRAFT_CHECKPOINT_MISMATCH', { what: 'The checkpoint holds no DWA loss history for these tasks', choices: tasks });
        }
        history = h.map((row) => row.map(Number));
        recompute();
      },
    };
  },
};
