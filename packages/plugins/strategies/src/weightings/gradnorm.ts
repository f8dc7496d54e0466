import { GraftError, stepTasks, type GradientWeightingMethod, type Weighting } from '@graft/core';
import { z } from 'zod';
import { combineByGram } from './gram.js';

const options = z.strictObject({
  /** Restoring-force strength α: how hard slower-training tasks are pushed up. @default 1.5 (the paper's NYUv2 value) */
  alpha: z.number().min(0).default(1.5).describe('Asymmetry α (paper: 1.5 on NYUv2, 0.12 on synthetic data).'),
  /** Step size of the plain gradient step on the task weights. @default 0.025 */
  lr: z.number().positive().default(0.025).describe('Learning rate of the task weights.'),
});

interface GradNormState {
  weights: number[];
  /** L_i(0) of each task in config order; null until the task's first step. */
  initialLosses: (number | null)[];
}

/** Smallest weight a task keeps, so no task is switched off by one large step. */
const MIN_WEIGHT = 1e-3;

/**
 * GradNorm (Chen et al., ICML 2018, Algorithm 1), as a gradient weighting: with task weights w_i (summing
 * to T), G_i = w_i ‖g_i‖, Ḡ its mean, training rates r_i = (L_i/L_i(0)) / mean_j(L_j/L_j(0)), the weights
 * take one gradient step on L_grad = Σ_i |G_i − Ḡ r_i^α| with the targets held constant (as the paper
 * prescribes), i.e. w_i ← w_i − lr · sign(G_i − Ḡ r_i^α) ‖g_i‖, and are renormalised to sum T. The update applied to the
 * model is Σ_i w_i g_i with the weights before the step, as in the paper.
 *
 * The paper measures ‖g_i‖ on the last shared layer to save compute; the loop hands us the gradient of
 * every shared parameter, so ‖g_i‖ here is the norm over the whole trunk. L_i(0) is the loss of the first
 * step this method sees for task i. With task sampling only the present tasks' weights take the step and are
 * renormalised to keep their sum; absent tasks keep theirs.
 */
export const gradnorm: Weighting<z.output<typeof options>> = {
  name: 'gradnorm',
  description: 'Task weights adapted so each task\'s gradient norm tracks its relative training rate (T backward passes per step).',
  reference: 'Chen et al., "GradNorm: Gradient Normalization for Adaptive Loss Balancing in Deep Multitask Networks", ICML 2018',
  options,
  create({ tasks, options: { alpha, lr } }): GradientWeightingMethod {
    const t = tasks.length;
    let weights = tasks.map(() => 1);
    let initialLosses: (number | null)[] = tasks.map(() => null);
    return {
      kind: 'gradient',
      combine: (grads, losses, step) =>
        combineByGram(grads, (gram) => {
          const present = stepTasks(step, t);
          const n = present.length;
          present.forEach((i, k) => (initialLosses[i] ??= losses[k]!));
          const current = present.map((i) => weights[i]!);
          const norms = gram.map((row, k) => Math.sqrt(Math.max(row[k]!, 0)));
          const g = norms.map((norm, k) => current[k]! * norm);
          const gMean = g.reduce((s, x) => s + x, 0) / n;
          const inverseRates = losses.map((l, k) => {
            const r = l / initialLosses[present[k]!]!;
            return Number.isFinite(r) ? r : 1;
          });
          const meanRate = inverseRates.reduce((s, x) => s + x, 0) / n;
          const stepped = current.map((w, k) => {
            const target = gMean * Math.pow(meanRate > 0 ? inverseRates[k]! / meanRate : 1, alpha);
            return Math.max(w - lr * Math.sign(g[k]! - target) * norms[k]!, MIN_WEIGHT);
          });
          const before = n === t ? t : current.reduce((s, x) => s + x, 0);
          const total = stepped.reduce((s, x) => s + x, 0);
          weights = [...weights];
          present.forEach((i, k) => (weights[i] = (before * stepped[k]!) / total));
          return current;
        }),
      currentWeights: () => [...weights],
      state: (): GradNormState => ({ weights: [...weights], initialLosses: [...initialLosses] }),
      restore(state) {
        const s = state as Partial<GradNormState> | undefined;
        const ok = (v: unknown, allowNull: boolean): boolean =>
          Array.isArray(v) && v.length === t && v.every((x) => typeof x === 'number' || (allowNull && x === null));
        if (!s || !ok(s.weights, false) || !ok(s.initialLosses, true)) {
          throw new GraftError('GRAFT_CHECKPOINT_MISMATCH', { what: 'The checkpoint holds no GradNorm weights for these tasks', choices: tasks });
        }
        weights = [...s.weights!];
        initialLosses = [...s.initialLosses!];
      },
    };
  },
};
