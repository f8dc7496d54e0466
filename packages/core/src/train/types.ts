import type * as tf from '@tensorflow/tfjs';
import type { SplitName, TaskMetrics } from './evaluate.js';
import type { SlotState } from './optimizer.js';

/** One epoch's record, as `graft train --json` prints it. */
export interface HistoryEntry {
  stage: number;
  stageName: string;
  epoch: number;
  /** Mean weighted training loss of the epoch. */
  loss: number;
  /** Mean training loss per task. */
  taskLosses: Record<string, number>;
  /** Task weights at the end of the epoch (loss weightings), in task order. */
  taskWeights: number[];
  /** Names of the groups that trained this epoch. */
  trainable: string[];
  /** Validation metrics per task, when there is a validation split. */
  metrics: TaskMetrics;
  seconds: number;
}

export interface StepProgress {
  stage: number;
  stageName: string;
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
}

/** Progress listeners of the API (`run.train({ callbacks })`); the loop's own callbacks are `Callback`s. */
export interface TrainCallbacks {
  onStep?(progress: StepProgress): void;
  /** After each epoch, once the checkpoint and metrics line are written; `snapshot` captures the training state. The loop awaits it. */
  onEpochEnd?(entry: HistoryEntry, snapshot: () => TrainerSnapshot): void | Promise<void>;
}

/** The running sums of an epoch: what a checkpoint written mid-epoch must carry to finish it exactly. */
export interface EpochSums {
  loss: number;
  steps: number;
  taskLoss: Record<string, number>;
  taskSteps: Record<string, number>;
}

/** The training state after an epoch: what a checkpoint stores besides the weights. */
export interface TrainerSnapshot {
  /** `stopped`: a callback ended training after this epoch (a resume trains no further). */
  position: { stage: number; epoch: number; stageDone: boolean; stopped?: boolean };
  /** Set when the run stopped mid-epoch: steps done of epoch `position.epoch + 1` and that epoch's sums so far. */
  partial?: { steps: number; sums: EpochSums };
  rng: number;
  /** The trunk's own random stream (dropout), when it has one. */
  trunkRng?: number;
  history: HistoryEntry[];
  optimizer: Record<string, SlotState>;
  weighting: { state: unknown; variables: Record<string, tf.Variable> };
  groups: { trainable: boolean; lrMultiplier: number }[];
  /** Early stopping's best epoch so far in the current stage (null when none), and that epoch's weights. */
  earlyStopping: { value: number; epoch: number } | null;
  /** The best epoch's weights, in `model.weights()` order, when `restoreBest` keeps them (owned by the trainer). */
  bestWeights?: tf.Tensor[];
  /** Stateful callbacks' state, by name. */
  callbacks: Record<string, unknown>;
}

export interface TrainResult {
  history: HistoryEntry[];
  final: { split: SplitName; metrics: TaskMetrics };
}
