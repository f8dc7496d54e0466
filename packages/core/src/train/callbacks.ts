import type { StageOptions } from '../config/stage-options.js';
import type { Task } from '../task.js';
import type { Logger } from '../logger.js';
import type { GraftModel } from '../model/graft-model.js';
import type { HistoryEntry, StepProgress, TrainerSnapshot, TrainResult } from './types.js';

/**
 * The closed set of events the loop raises, in the order of a run (after fastai's `Callback` and Keras's
 * `callbacks.Callback`): `trainBegin`, then per stage `stageBegin`, per epoch `epochBegin`, `stepEnd` after every
 * optimisation step, `epochEnd` with the epoch's metrics, `stageEnd`; finally `trainEnd`. `interrupted` replaces
 * the rest when a callback asked to stop mid-epoch.
 */
export interface TrainEvents {
  trainBegin: { stages: number; history: readonly HistoryEntry[]; resumed: boolean };
  stageBegin: { stage: number; stageName: string; epochs: number; firstEpoch: number; stepsPerEpoch: number; options: StageOptions; tasks: readonly Task[] };
  epochBegin: { stage: number; stageName: string; epoch: number; epochs: number };
  stepEnd: StepProgress;
  /** `lastOfStage`: the stage's last scheduled epoch (a stop request may end the stage earlier). */
  epochEnd: { entry: HistoryEntry; lastOfStage: boolean };
  stageEnd: { stage: number; stageName: string; stopped: boolean };
  trainEnd: { result: TrainResult };
  interrupted: { stage: number; epoch: number; steps: number; stepsPerEpoch: number };
}

export type TrainEventName = keyof TrainEvents;

/** Every event, in the order a run raises them. */
export const TRAIN_EVENTS: readonly TrainEventName[] = ['trainBegin', 'stageBegin', 'epochBegin', 'stepEnd', 'epochEnd', 'stageEnd', 'trainEnd', 'interrupted'];

/** What a callback may do from an event. */
export interface CallbackControl {
  readonly model: GraftModel;
  readonly log: Logger;
  /** End the stage after this epoch (early stopping); the next stage runs. */
  stopStage(): void;
  /** End training after this epoch; the final evaluation still runs, and a resume does not train on. */
  stopTraining(): void;
  /** Stop at this step boundary: the partial epoch is checkpointed (`interrupted`), then GRAFT_INTERRUPTED. */
  interrupt(): void;
  /** Call after writing the model's weights: cached activations depend on them. */
  weightsChanged(): void;
  /** The training state now, for a checkpoint (call it during `epochEnd` or `interrupted`). */
  snapshot(): TrainerSnapshot;
}

/** A handler per event, each optional. The loop awaits each; callbacks run in list order. */
export type CallbackHandlers = { [E in TrainEventName]?: (event: TrainEvents[E], control: CallbackControl) => void | Promise<void> };

/**
 * A callback. One whose behaviour depends on what it saw earlier must carry that in `state` (JSON, stored in
 * the checkpoint under its name) and take it back in `restore`, or a resumed run would differ from an
 * uninterrupted one; a callback without `state` must be stateless.
 */
export interface Callback extends CallbackHandlers {
  readonly name: string;
  /** Its state after the current epoch, as JSON. */
  state?(): unknown;
  /** Put back what `state` returned (on `--resume`, before `stageBegin`). */
  restore?(state: unknown): void;
  /** Release tensors it holds. */
  dispose?(): void;
}

/** Raise one event on every callback, in order. */
export async function raise<E extends TrainEventName>(callbacks: readonly Callback[], name: E, event: TrainEvents[E], control: CallbackControl): Promise<void> {
  for (const cb of callbacks) await (cb[name] as ((e: TrainEvents[E], c: CallbackControl) => void | Promise<void>) | undefined)?.call(cb, event, control);
}
