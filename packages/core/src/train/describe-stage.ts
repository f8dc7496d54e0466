import { stepsPerEpoch } from './batching.js';
import { scheduleFactor } from './schedule.js';
import { setUpStage } from './stage.js';
import type { LoopState } from './state.js';

/** One stage as `graft plan` prints it: per epoch, the groups that train and their rates at the epoch's first step. */
export interface StageDescription {
  name: string;
  weighting: string;
  epochs: { epoch: number; groups: { name: string; lr: number }[] }[];
}

/**
 * The dry run of stage `s`: its orchestration as training would run it (the strategy's setup and epoch hooks,
 * discriminative rates, head rate, schedule) without a step.
 */
export function describeStage(loop: LoopState, s: number): StageDescription {
  const stage = loop.plan.stages[s]!;
  const { strategy, options } = stage;
  const { epochs, control } = setUpStage(loop, stage, false);
  const steps = stepsPerEpoch(loop.data, options.batchSize, options.sampling);
  const out = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    strategy.onEpochStart?.(control, epoch);
    const factor = scheduleFactor(options.schedule, epoch * steps, epochs * steps);
    const groups = loop.model.groups
      .filter((g) => g.trainable)
      .map((g) => ({ name: g.name, lr: (g === loop.model.headGroup && options.headLr !== undefined ? options.headLr : options.lr * g.lrMultiplier) * factor }));
    out.push({ epoch, groups });
  }
  return { name: options.name ?? strategy.name, weighting: stage.weighting.plugin.name, epochs: out };
}
