import * as tf from '@tensorflow/tfjs';
import type { StageOptions } from '../config/stage-options.js';
import type { Task } from '../task.js';
import type { Callback } from './callbacks.js';

/** Early stopping's memory within a stage: the best validation value, its epoch, and its weights when restored. */
export interface BestEpoch {
  value: number;
  epoch: number;
  weights?: tf.Tensor[];
}

/**
 * Early stopping on the first task's primary validation metric (the stage option `earlyStopping`): stops the
 * stage when it has not improved by `minDelta` for `patience` epochs, and puts back the best epoch's weights
 * (`restoreBest`) before the checkpoint is written, so eval and predict see what train reports. Its state (best
 * value, epoch and weights) is part of the trainer's state: {@link EarlyStopping.held} and {@link EarlyStopping.hold}.
 */
export class EarlyStopping implements Callback {
  readonly name = 'early-stopping';
  private best?: BestEpoch;
  private rule?: StageOptions['earlyStopping'];
  private primary?: Task;

  stageBegin(e: { options: StageOptions; tasks: readonly Task[] }): void {
    this.rule = e.options.earlyStopping;
    this.primary = e.tasks[0];
  }

  epochEnd: Callback['epochEnd'] = (e, control) => {
    const { epoch, metrics, stage } = e.entry;
    if (!this.rule || !this.primary) return;
    const value = metrics[this.primary.name]?.[this.primary.type.primaryMetric.name];
    let stop = false;
    if (typeof value === 'number') {
      const sign = this.primary.type.primaryMetric.higherIsBetter ? 1 : -1;
      if (!this.best || sign * (value - this.best.value) > this.rule.minDelta) {
        this.release();
        this.best = { value, epoch, weights: this.rule.restoreBest ? control.model.weights().map((w) => tf.clone(w.variable)) : undefined };
      } else stop = epoch - this.best.epoch >= this.rule.patience;
    }
    if ((stop || e.lastOfStage) && this.best?.weights && this.best.epoch !== epoch) {
      const weights = this.best.weights;
      control.model.weights().forEach((w, i) => w.variable.assign(weights[i]!));
      control.weightsChanged();
      control.log.info(`Stage ${stage}: restored the weights of epoch ${this.best.epoch}, the best on validation.`);
    }
    if (stop) {
      control.log.info(`Early stopping in stage ${stage} after epoch ${epoch}: no improvement since epoch ${this.best!.epoch}.`);
      control.stopStage();
    }
  };

  stageEnd(): void {
    this.release();
  }

  /** The best epoch so far in the current stage, and its weights (owned by this callback). */
  held(): BestEpoch | undefined {
    return this.best;
  }

  /** Take back a checkpoint's best epoch (and ownership of its weights). */
  hold(best: { value: number; epoch: number } | null, weights?: tf.Tensor[]): void {
    this.release();
    if (best) this.best = { ...best, weights };
    else weights?.forEach((w) => w.dispose());
  }

  dispose(): void {
    this.release();
  }

  private release(): void {
    this.best?.weights?.forEach((w) => w.dispose());
    this.best = undefined;
  }
}
