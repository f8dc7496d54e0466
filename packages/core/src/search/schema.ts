import { z } from 'zod';

/** The `search:` block of a config: what `graft search` varies, how it samples, and how it scores. */
export const searchSchema = z
  .strictObject({
    space: z
      .record(z.string(), z.any().describe('A list of choices, or { uniform | logUniform | int: [low, high] }.'))
      .describe('Parameters by config path, e.g. `stages[1].lr: { logUniform: [1e-5, 1e-2] }`, `stages[0].use: [linear-probe, lp-ft]`.'),
    /** @default 20 */
    trials: z.number().int().positive().default(20).describe('Trials to run (a grid runs at most its size).'),
    /** @default 'tpe' */
    sampler: z.enum(['grid', 'random', 'tpe']).default('tpe').describe('grid (every combination), random, or tpe (Tree-structured Parzen Estimator).'),
    /** @default 10 */
    startup: z.number().int().min(0).default(10).describe('With tpe: random trials before the model takes over.'),
    /** @default 'median' */
    pruner: z.enum(['none', 'median']).default('median').describe('median: stop a trial after a fold when its mean so far is worse than the median of earlier trials.'),
    /** @default 5 */
    folds: z.number().int().min(2).default(5).describe('Stratified cross-validation folds of the training split; every trial is scored on them.'),
    /** @default 1 */
    seeds: z.number().int().positive().default(1).describe('Seeds per fold (the config seed, +1, ...); the score averages them.'),
    metric: z.string().optional().describe("Metric of the first task to optimise. @default the task type's primary metric"),
    direction: z.enum(['maximize', 'minimize']).optional().describe("@default the metric's own direction"),
    /** @default 4 */
    batch: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe('Trials proposed together; each batch sees the results of the batches before it, so the study is the same however many workers run it.'),
  })
  .describe('Hyper-parameter search for `graft search`.');

export type SearchSettings = z.output<typeof searchSchema>;
