import type { RunState } from '../checkpoint/checkpoint.js';
import type { StagePlan } from '../config/load.js';
import { disposeBatch, type PreparedData } from '../data/prepare.js';
import { GraftError } from '../errors.js';
import type { GroupState } from '../model/graft-model.js';
import type { StageControl } from '../strategy.js';
import { cacheMode, nextBatch, nextIndices, pickIndex, samplingWeights, stepsPerEpoch, type StepBatch } from './batching.js';
import { raise } from './callbacks.js';
import { evaluateSplit, type SplitName, type TaskMetrics } from './evaluate.js';
import { Optimizer } from './optimizer.js';
import { deriveSeed, Rng } from './rng.js';
import { scheduleFactor } from './schedule.js';
import { controlOf, restoreMidStage, type LoopState } from './state.js';
import { optimisationStep } from './step.js';
import type { EpochSums, HistoryEntry } from './types.js';

/**
 * One stage: the strategy's setup and epoch hooks, a fresh optimizer and weighting, then its epochs — each one
 * seeded batches through {@link optimisationStep}, a validation pass and the `epochEnd` callbacks. Stops early
 * when a callback asks; throws GRAFT_INTERRUPTED (after `interrupted`) when one interrupts mid-epoch.
 */
export async function runStage(loop: LoopState, s: number, resume?: RunState): Promise<void> {
  const stage = loop.plan.stages[s]!;
  const { strategy, options } = stage;
  loop.data = stageTasks(loop.allData, options.tasks);
  const { epochs, control: strategyControl } = setUpStage(loop, stage, true);
  loop.optimizer?.dispose();
  loop.optimizer = new Optimizer(options.optimizer);
  loop.weighting = stage.weighting.plugin.create({ tasks: loop.data.tasks.map((t) => t.name), options: stage.weighting.options, rng: loop.rng });
  if (resume) restoreMidStage(loop, resume);
  const firstEpoch = resume ? resume.position.epoch + 1 : 0;
  const steps = stepsPerEpoch(loop.data, options.batchSize, options.sampling);
  const stageName = options.name ?? strategy.name;
  let stageDone = false;
  const control = controlOf(loop, () => stageDone);
  loop.requests.stopStage = false;
  await raise(loop.callbacks, 'stageBegin', { stage: s, stageName, epochs, firstEpoch, stepsPerEpoch: steps, options, tasks: loop.data.tasks }, control);

  for (let epoch = firstEpoch; epoch < epochs && !stageDone; epoch++) {
    strategy.onEpochStart?.(strategyControl, epoch);
    syncNormModes(loop, options.bn);
    await raise(loop.callbacks, 'epochBegin', { stage: s, stageName, epoch, epochs }, control);
    const started = Date.now();
    const { sums, stoppedAfter } = await trainEpoch(loop, stage, s, epoch, epochs, steps, epoch === firstEpoch ? resume?.partial : undefined);
    if (stoppedAfter !== undefined) {
      loop.position = { stage: s, epoch: epoch - 1 };
      loop.partial = { steps: stoppedAfter, sums };
      await raise(loop.callbacks, 'interrupted', { stage: s, epoch, steps: stoppedAfter, stepsPerEpoch: steps }, control);
      throw new GraftError('GRAFT_INTERRUPTED', {
        what: `Training stopped on request in stage ${s} (${stageName}), epoch ${epoch}, after step ${stoppedAfter} of ${steps}`,
        why: 'The process was asked to stop (SIGINT or SIGTERM); the state at that step was checkpointed.',
        fix: 'Continue exactly where it stopped with `graft train -c FILE --resume` (same config)',
      });
    }
    const meanLosses = loop.data.tasks.map((t) => sums.taskLoss[t.name]! / Math.max(sums.taskSteps[t.name]!, 1));
    loop.weighting.endEpoch?.(meanLosses);
    const entry: HistoryEntry = {
      stage: s,
      stageName,
      epoch,
      loss: sums.loss / Math.max(sums.steps, 1),
      taskLosses: Object.fromEntries(loop.data.tasks.map((t, i) => [t.name, meanLosses[i]!])),
      taskWeights: await loop.weighting.currentWeights(),
      trainable: loop.model.groups.filter((g) => g.trainable).map((g) => g.name),
      metrics: (await evaluateLoop(loop, 'validation')) ?? {},
      seconds: (Date.now() - started) / 1000,
    };
    loop.history.push(entry);
    loop.position = { stage: s, epoch };
    // Requests made while handling the event end the stage: the checkpoint written then says so.
    const lastOfStage = epoch === epochs - 1;
    stageDone = lastOfStage;
    const end = { entry, lastOfStage };
    for (const cb of loop.callbacks) {
      await cb.epochEnd?.call(cb, end, control);
      stageDone ||= loop.requests.stopStage || loop.requests.stopTraining;
    }
  }
  await raise(loop.callbacks, 'stageEnd', { stage: s, stageName, stopped: loop.requests.stopStage || loop.requests.stopTraining }, control);
}

/** The strategy's setup of a stage: discriminative multipliers, norm momentum and head re-init when training; its epoch count. */
export function setUpStage(loop: LoopState, stage: StagePlan, training: boolean): { epochs: number; control: StageControl<Record<string, unknown>> } {
  const { strategy, options } = stage;
  const control = stageControl(loop, stage);
  const G = loop.model.groups.length;
  const factor = options.discriminative?.factor ?? 1;
  loop.model.groups.forEach((g, i) => (g.lrMultiplier = 1 / factor ** (G - 1 - i)));
  if (training && options.bnMomentum !== undefined) loop.model.trunk.setNormMomentum?.(options.bnMomentum);
  if (training && options.reinitHead) control.reinitHead();
  strategy.setup(control);
  return { epochs: options.epochs ?? strategy.defaultEpochs?.(G, options) ?? 1, control };
}

/** One epoch of seeded batches (replaying the draws of steps a mid-epoch checkpoint already did). */
async function trainEpoch(
  loop: LoopState,
  stage: StagePlan,
  s: number,
  epoch: number,
  epochs: number,
  steps: number,
  resumeFrom?: { steps: number; sums: EpochSums },
): Promise<{ sums: EpochSums; stoppedAfter?: number }> {
  const { options } = stage;
  const { data, model } = loop;
  const epochRng = new Rng(deriveSeed(loop.plan.seed, s, epoch));
  const cursors = data.groups.map((g) => ({ order: epochRng.permutation(g.dataset.train.size), at: 0 }));
  const weights = samplingWeights(data, options.sampling, options.temperature);
  const zero = () => Object.fromEntries(data.tasks.map((t) => [t.name, 0]));
  const sums: EpochSums = resumeFrom ? structuredClone(resumeFrom.sums) : { loss: 0, steps: 0, taskLoss: zero(), taskSteps: zero() };
  const mode = cacheMode(model, data, options);
  const stageName = options.name ?? stage.strategy.name;
  const control = controlOf(loop, () => false);
  for (let step = 0; step < steps; step++) {
    const globalStep = epoch * steps + step;
    const groups = options.sampling === 'all' ? data.groups.map((_, i) => i) : [pickIndex(weights, epochRng)];
    if (resumeFrom && step < resumeFrom.steps) {
      // Steps done before the stop: replay only their draws, so the epoch continues with the same batches.
      for (const gi of groups) nextIndices(cursors[gi]!, data.groups[gi]!.dataset.train.size, options.batchSize, epochRng);
      continue;
    }
    const batches: StepBatch[] = [];
    for (const gi of groups) batches.push(await nextBatch(data.groups[gi]!, data, cursors[gi]!, options.batchSize, epochRng, mode, loop.caches));
    const factor = scheduleFactor(options.schedule, globalStep, epochs * steps);
    const context = { model, tasks: data.tasks, options, weighting: loop.weighting!, optimizer: loop.optimizer! };
    const { losses, gradientsFinite } = await optimisationStep(context, batches, { step: globalStep, epoch, stepsPerEpoch: steps }, factor, deriveSeed(loop.plan.seed, s, globalStep, 3));
    loop.caches.stepped();
    batches.forEach((b) => disposeBatch(b.batch));
    let total = 0;
    for (const [task, value] of losses) {
      if (!Number.isFinite(value)) {
        throw new GraftError('GRAFT_NAN_LOSS', {
          what: `The loss of task "${task}" became ${value} in stage ${s} (${stageName}), epoch ${epoch}, step ${step}`,
          why: 'Training diverged: the learning rate is usually too high, or the data holds NaN or infinite values.',
          fix: 'Lower `lr`, set `clipNorm`, or check the data. The last checkpoint (end of the previous epoch) was kept',
        });
      }
      sums.taskLoss[task]! += value;
      sums.taskSteps[task]! += 1;
      total += value;
    }
    if (!gradientsFinite) {
      throw new GraftError('GRAFT_NAN_LOSS', {
        what: `The gradients became NaN or infinite in stage ${s} (${stageName}), epoch ${epoch}, step ${step}, while the loss stayed finite (${[...losses.values()].join(', ')})`,
        why: 'Training diverged, or the data or the weights hold NaN or infinite values that a clamping activation hid from the loss.',
        fix: 'Lower `lr`, set `clipNorm`, or check the data. The step was not applied; the last checkpoint (end of the previous epoch) was kept',
      });
    }
    sums.loss += total;
    sums.steps += 1;
    await raise(loop.callbacks, 'stepEnd', { stage: s, stageName, epoch, epochs, step, stepsPerEpoch: steps, loss: total }, control);
    if (step < steps - 1 && loop.requests.interrupt) return { sums, stoppedAfter: step + 1 };
  }
  return { sums };
}

/** Evaluate every task on a split (a frozen trunk's features come from the cache); undefined when no dataset has it. */
export function evaluateLoop(loop: LoopState, split: SplitName): Promise<TaskMetrics | undefined> {
  const frozen = loop.model.trunkFrozen;
  return evaluateSplit(loop.model, loop.allData, split, async (examples) => (frozen ? loop.caches.trunkFeatures(examples) : undefined));
}

/** Which normalisation layers run in inference mode: see the `bn` stage option. */
function syncNormModes(loop: LoopState, bn: 'frozen' | 'inference' | 'train'): void {
  for (const g of loop.model.groups) g.setNormInference?.(bn === 'inference' || (bn === 'frozen' && !g.trainable));
}

function stageControl(loop: LoopState, stage: StagePlan): StageControl<Record<string, unknown>> {
  const { model, rng } = loop;
  return {
    options: stage.options,
    groups: model.groups as GroupState[],
    freezeTo(n: number) {
      const G = model.groups.length;
      const k = n < 0 ? G + n : n;
      model.groups.forEach((g, i) => (g.trainable = i >= k));
    },
    reinitHead: () => model.heads.forEach((h) => h.reinitialize(rng)),
    reinitTrunk: () => {
      model.trunk.reinitialize(rng);
      loop.caches.invalidate();
    },
    setNormMomentum: (momentum: number) => {
      if (stage.options.bnMomentum === undefined) model.trunk.setNormMomentum?.(momentum);
    },
    log: loop.log,
  };
}

/** The part of the data a stage trains: only the named tasks, and only the data groups they read. */
function stageTasks(data: PreparedData, names: readonly string[] | undefined): PreparedData {
  if (!names) return data;
  const groups = data.groups.map((g) => ({ ...g, tasks: g.tasks.filter((t) => names.includes(t.name)) })).filter((g) => g.tasks.length > 0);
  return { ...data, groups, tasks: data.tasks.filter((t) => names.includes(t.name)) };
}
