import type { RunState } from '../checkpoint/checkpoint.js';
import type { RunPlan } from '../config/load.js';
import type { PreparedData } from '../data/prepare.js';
import type { Logger } from '../logger.js';
import type { GraftModel } from '../model/graft-model.js';
import { raise, type Callback } from './callbacks.js';
import { describeStage, type StageDescription } from './describe-stage.js';
import { EarlyStopping } from './early-stopping.js';
import type { SplitName, TaskMetrics } from './evaluate.js';
import { deriveSeed, Rng } from './rng.js';
import { evaluateLoop, runStage } from './stage.js';
import { controlOf, restoreStageEnd, snapshot, type LoopState } from './state.js';
import { TrunkCaches } from './trunk-caches.js';
import type { HistoryEntry, TrainerSnapshot, TrainResult } from './types.js';

export type { EpochSums, HistoryEntry, StepProgress, TrainCallbacks, TrainerSnapshot, TrainResult } from './types.js';

/**
 * The one training loop: every stage of a plan ({@link runStage}: seeded batches, the optimisation step,
 * evaluation each epoch), then the final evaluation, with callbacks on a closed set of events (early stopping
 * first, then `callbacks` in order). Every run is multi-task; one task is the case n = 1. Its state is a plain
 * value ({@link Trainer.snapshot}) a checkpoint stores and {@link Trainer.run} restores from.
 */
export class Trainer {
  private readonly loop: LoopState;

  constructor(plan: RunPlan, model: GraftModel, data: PreparedData, log: Logger, callbacks: readonly Callback[] = []) {
    const earlyStopping = new EarlyStopping();
    this.loop = {
      plan,
      model,
      allData: data,
      log,
      rng: new Rng(deriveSeed(plan.seed, 7)),
      history: [],
      caches: new TrunkCaches(model),
      earlyStopping,
      callbacks: [earlyStopping, ...callbacks],
      data,
      position: { stage: 0, epoch: -1 },
      requests: { stopStage: false, stopTraining: false, interrupt: false },
    };
  }

  get model(): GraftModel {
    return this.loop.model;
  }

  get history(): readonly HistoryEntry[] {
    return this.loop.history;
  }

  /** Train every stage, from the start or from a restored state, then evaluate. */
  async run(resume?: RunState): Promise<TrainResult> {
    const { loop } = this;
    const control = controlOf(loop, () => true);
    const startStage = resume ? resume.position.stage + (resume.position.stageDone ? 1 : 0) : 0;
    if (resume) {
      loop.history.push(...resume.history);
      if (resume.position.stageDone) restoreStageEnd(loop, resume);
      loop.requests.stopTraining = resume.position.stopped === true;
    }
    await raise(loop.callbacks, 'trainBegin', { stages: loop.plan.stages.length, history: loop.history, resumed: resume !== undefined }, control);
    for (let s = startStage; s < loop.plan.stages.length && !loop.requests.stopTraining; s++) {
      const resumeHere = resume && resume.position.stage === s && !resume.position.stageDone ? resume : undefined;
      await runStage(loop, s, resumeHere);
    }
    const result = { history: loop.history, final: await this.finalEvaluation() };
    await raise(loop.callbacks, 'trainEnd', { result }, control);
    return result;
  }

  /** Evaluate every task on a split; undefined when no dataset has that split. */
  evaluate(split: SplitName): Promise<TaskMetrics | undefined> {
    return evaluateLoop(this.loop, split);
  }

  /** The state after the current epoch, for a checkpoint. */
  snapshot(stageDone: boolean): TrainerSnapshot {
    return snapshot(this.loop, stageDone);
  }

  /** Stage `s` as `graft plan` prints it, without training. */
  describeStage(s: number): StageDescription {
    return describeStage(this.loop, s);
  }

  private async finalEvaluation(): Promise<TrainResult['final']> {
    const { plan, log } = this.loop;
    const order: SplitName[] = [plan.evaluate.split, 'validation', 'test', 'train'];
    for (const split of order) {
      const metrics = await this.evaluate(split);
      if (metrics) {
        if (split !== plan.evaluate.split) log.warn(`No ${plan.evaluate.split} split: final metrics are on the ${split} split.`);
        return { split, metrics };
      }
    }
    return { split: plan.evaluate.split, metrics: {} };
  }

  dispose(): void {
    for (const c of this.loop.callbacks) c.dispose?.();
    this.loop.optimizer?.dispose();
    this.loop.caches.clear();
  }
}
