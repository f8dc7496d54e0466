import * as tf from '@tensorflow/tfjs';
import { loadWeights, type RunState } from '../checkpoint/checkpoint.js';
import type { RunPlan } from '../config/load.js';
import type { PreparedData } from '../data/prepare.js';
import type { Logger } from '../logger.js';
import type { GraftModel } from '../model/graft-model.js';
import type { WeightingMethod } from '../weighting.js';
import type { Callback, CallbackControl } from './callbacks.js';
import type { EarlyStopping } from './early-stopping.js';
import type { Optimizer, SlotState } from './optimizer.js';
import type { Rng } from './rng.js';
import type { TrunkCaches } from './trunk-caches.js';
import type { EpochSums, HistoryEntry, TrainerSnapshot } from './types.js';

/** Everything the loop reads and changes while it runs; `snapshot` turns it into the plain value a checkpoint stores. */
export interface LoopState {
  readonly plan: RunPlan;
  readonly model: GraftModel;
  /** Every task's data: evaluation covers all of it. */
  readonly allData: PreparedData;
  readonly log: Logger;
  readonly rng: Rng;
  readonly history: HistoryEntry[];
  readonly caches: TrunkCaches;
  readonly earlyStopping: EarlyStopping;
  /** Early stopping first, then the config's and the caller's callbacks. */
  readonly callbacks: readonly Callback[];
  /** The tasks and data groups the current stage trains (its `tasks` option). */
  data: PreparedData;
  optimizer?: Optimizer;
  weighting?: WeightingMethod;
  /** The last completed epoch. */
  position: { stage: number; epoch: number };
  /** Steps done of the next epoch and its sums, when interrupted mid-epoch. */
  partial?: { steps: number; sums: EpochSums };
  /** Requests made by callbacks. */
  requests: { stopStage: boolean; stopTraining: boolean; interrupt: boolean };
}

/** What callbacks may do, bound to a loop; `stageDone` tells `snapshot` whether the current epoch ends its stage. */
export function controlOf(loop: LoopState, stageDone: () => boolean): CallbackControl {
  return {
    model: loop.model,
    log: loop.log,
    stopStage: () => void (loop.requests.stopStage = true),
    stopTraining: () => void (loop.requests.stopTraining = true),
    interrupt: () => void (loop.requests.interrupt = true),
    weightsChanged: () => loop.caches.invalidate(),
    snapshot: () => snapshot(loop, stageDone()),
  };
}

/** The state after the current epoch (or the partial one), for a checkpoint. */
export function snapshot(loop: LoopState, stageDone: boolean): TrainerSnapshot {
  const best = stageDone ? undefined : loop.earlyStopping.held();
  const stopped = loop.requests.stopTraining && stageDone;
  return {
    position: { ...loop.position, stageDone, ...(stopped ? { stopped } : {}) },
    partial: loop.partial,
    rng: loop.rng.state,
    trunkRng: loop.model.trunk.randomState?.(),
    history: [...loop.history],
    optimizer: loop.optimizer?.snapshot() ?? {},
    weighting: { state: loop.weighting?.state?.(), variables: loop.weighting?.kind === 'loss' ? loop.weighting.variables?.() ?? {} : {} },
    groups: loop.model.groups.map((g) => ({ trainable: g.trainable, lrMultiplier: g.lrMultiplier })),
    earlyStopping: best ? { value: best.value, epoch: best.epoch } : null,
    bestWeights: best?.weights,
    callbacks: Object.fromEntries(loop.callbacks.filter((c) => c.state).map((c) => [c.name, c.state!()])),
  };
}

/** Restore a checkpoint written at the end of a stage: the weights and the random streams. */
export function restoreStageEnd(loop: LoopState, state: RunState): void {
  restoreWeights(loop, state);
  restoreStreams(loop, state);
  restoreCallbacks(loop, state);
}

/** Restore a checkpoint written mid-stage, once the stage is set up: also optimizer, weighting, groups, callbacks. */
export function restoreMidStage(loop: LoopState, state: RunState): void {
  const { meta, tensors } = state;
  restoreWeights(loop, state);
  const opt: Record<string, SlotState> = {};
  for (const [key, s] of Object.entries(meta.optimizer)) {
    opt[key] = { steps: s.steps, slots: Object.fromEntries(s.slots.map((slot) => { const t = tensors.get(`opt/${key}/${slot}`)!; return [slot, tf.tensor(t.data, t.shape)]; })) };
  }
  loop.optimizer?.restore(opt);
  restoreStreams(loop, state);
  if (meta.weighting !== null && meta.weighting !== undefined) loop.weighting?.restore?.(meta.weighting);
  loop.model.groups.forEach((g, i) => Object.assign(g, meta.groups[i]));
  const best = meta.earlyStopping ?? null;
  const stored = loop.model.weights().map((w) => tensors.get(`best/${w.key}`));
  loop.earlyStopping.hold(best, best && stored.every((t) => t) ? stored.map((t) => tf.tensor(t!.data, t!.shape)) : undefined);
  restoreCallbacks(loop, state);
}

function restoreCallbacks(loop: LoopState, { meta }: RunState): void {
  for (const c of loop.callbacks) if (c.restore && meta.callbacks && c.name in meta.callbacks) c.restore(meta.callbacks[c.name]);
}

function restoreWeights(loop: LoopState, { tensors, path }: RunState): void {
  loadWeights(loop.model, tensors, path);
  const extra = loop.weighting?.kind === 'loss' ? loop.weighting.variables?.() ?? {} : {};
  for (const [name, v] of Object.entries(extra)) {
    const t = tensors.get(`weighting/${name}`);
    if (t) tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
}

function restoreStreams(loop: LoopState, { meta }: RunState): void {
  loop.rng.state = meta.rng;
  if (meta.trunkRng !== undefined) loop.model.trunk.restoreRandomState?.(meta.trunkRng);
  loop.caches.invalidate();
}
