import type { ZodType } from 'zod';
import type { Logger } from './logger.js';
import type { StageOptions } from './config/stage-options.js';

/** One group of the model as a strategy sees it: trunk groups input → output, then `head`. */
export interface GroupControl {
  readonly name: string;
  readonly index: number;
  /** Whether the optimizer updates this group. */
  trainable: boolean;
  /** Multiplies the stage's learning rate for this group (discriminative rates are multipliers). */
  lrMultiplier: number;
}

/** What a strategy may do to the model at the start of a stage and before each epoch. */
export interface StageControl<Options = unknown> {
  /** The stage's options: the common ones (epochs, lr, ...) and the strategy's own. */
  readonly options: StageOptions & Options;
  /** Trunk groups input → output, then the head group; the last one is always `head`. */
  readonly groups: readonly GroupControl[];
  /** Freeze groups `[0, n)` and thaw `[n, G)` (fastai's `freeze_to`). Negative `n` counts from the end. */
  freezeTo(n: number): void;
  /** Re-initialise every task head (a new head for a new label set). */
  reinitHead(): void;
  /** Re-initialise the trunk (training from scratch). */
  reinitTrunk(): void;
  /** Set the running-statistics momentum of the trunk's normalisation layers, unless the stage's `bnMomentum` option sets it. */
  setNormMomentum(momentum: number): void;
  readonly log: Logger;
}

/**
 * How θ becomes φ: one stage of training over the tasks. Stages compose into a schedule, each starting
 * from the weights the previous one left. The training loop itself lives in core; a strategy only says
 * which groups train, at which rate multiplier, and when that changes.
 */
export interface Strategy<Options = any> {
  name: string;
  description: string;
  /** Strategy-specific stage options (a strict zod object); merged with the common stage options. */
  options: ZodType<Options>;
  /** Default epochs when the stage does not say, given the number of groups. */
  defaultEpochs?(groupCount: number, options: Options): number;
  /** Prepare the model: freeze, thaw, re-initialise. Discriminative multipliers are already set. */
  setup(stage: StageControl<Options>): void;
  /** Called before each epoch of the stage (0-based); may change which groups train. */
  onEpochStart?(stage: StageControl<Options>, epoch: number): void;
}
