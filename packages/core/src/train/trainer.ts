import * as tf from '@tensorflow/tfjs';
import type { RunPlan, StagePlan } from '../config/load.js';
import { gatherBatch, disposeBatch, type PreparedData } from '../data/prepare.js';
import { GraftError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GraftModel, GroupState } from '../model/graft-model.js';
import type { StageControl } from '../strategy.js';
import type { StepInfo, WeightingMethod } from '../weighting.js';
import { evaluateSplit, type SplitName, type TaskMetrics } from './evaluate.js';
import { ActivationCache, gatherRows, prefixActivations, trunkFeatures, type CachedActivations } from './features.js';
import type { TrunkSplit } from '../model/trunk.js';
import { Optimizer } from './optimizer.js';
import { deriveSeed, Rng } from './rng.js';
import { scheduleFactor } from './schedule.js';
import { nextIndices, pickIndex, type CacheMode, type StepBatch } from './batching.js';
import { clipGlobalNorm } from './clip.js';
import type { RunState } from '../checkpoint/checkpoint.js';
import type { EpochSums, HistoryEntry, TrainCallbacks, TrainerSnapshot, TrainResult } from './types.js';

export type { EpochSums, HistoryEntry, StepProgress, TrainCallbacks, TrainerSnapshot, TrainResult } from './types.js';

/** Early stopping's memory within a stage: the best validation value, its epoch, and its weights when restored. */
interface BestEpoch {
  value: number;
  epoch: number;
  weights?: tf.Tensor[];
}


/**
 * The one training loop: seeded batching over one or more datasets, a forward pass through the trunk and
 * one head per task, task losses combined by a weighting, per-group learning rates, gradient clipping,
 * evaluation each epoch and callbacks. Every run is multi-task; one task is the case n = 1.
 */
export class Trainer {
  readonly rng: Rng;
  readonly history: HistoryEntry[] = [];
  private readonly featureCache = new ActivationCache(128);
  private readonly prefixCache = new ActivationCache(64);
  /** Updates applied to each group, and trunk re-initialisations/restores: what cached activations depend on. */
  private readonly groupVersions: number[];
  private resets = 0;
  private optimizer?: Optimizer;
  private weighting?: WeightingMethod;
  private position = { stage: 0, epoch: -1 };
  /** The tasks and data groups the current stage trains (its `tasks` option); evaluation covers all of `allData`. */
  private data: PreparedData;
  private best?: BestEpoch;
  private partial?: { steps: number; sums: EpochSums };

  constructor(
    private readonly plan: RunPlan,
    readonly model: GraftModel,
    private readonly allData: PreparedData,
    private readonly log: Logger,
    private readonly callbacks: TrainCallbacks = {},
  ) {
    this.data = allData;
    this.rng = new Rng(deriveSeed(plan.seed, 7));
    this.groupVersions = model.groups.map(() => 0);
  }

  /** Train every stage, from the start or from a restored state, then evaluate. */
  async run(resume?: RunState): Promise<TrainResult> {
    const startStage = resume ? resume.position.stage + (resume.position.stageDone ? 1 : 0) : 0;
    if (resume) {
      this.history.push(...resume.history);
      if (resume.position.stageDone) resume.restoreWeights(this);
    }
    for (let s = startStage; s < this.plan.stages.length; s++) {
      const resumeHere = resume && resume.position.stage === s && !resume.position.stageDone ? resume : undefined;
      await this.runStage(s, resumeHere);
    }
    return { history: this.history, final: await this.finalEvaluation() };
  }

  private async runStage(s: number, resume?: RunState): Promise<void> {
    const stage = this.plan.stages[s]!;
    const { strategy, options } = stage;
    this.data = stageTasks(this.allData, options.tasks);
    const control = this.stageControl(stage);
    this.applyDiscriminative(stage);
    if (options.bnMomentum !== undefined) this.model.trunk.setNormMomentum?.(options.bnMomentum);
    if (options.reinitHead) control.reinitHead();
    strategy.setup(control);
    const epochs = options.epochs ?? strategy.defaultEpochs?.(this.model.groups.length, options) ?? 1;

    this.optimizer?.dispose();
    this.optimizer = new Optimizer(options.optimizer);
    this.weighting = stage.weighting.plugin.create({ tasks: this.data.tasks.map((t) => t.name), options: stage.weighting.options, rng: this.rng });
    let firstEpoch = 0;
    this.disposeBest();
    if (resume) {
      resume.restoreInto(this);
      firstEpoch = resume.position.epoch + 1;
    }
    const stepsPerEpoch = this.stepsPerEpoch(options.batchSize, options.sampling);
    const stageName = options.name ?? strategy.name;

    for (let epoch = firstEpoch; epoch < epochs; epoch++) {
      strategy.onEpochStart?.(control, epoch);
      this.syncNormModes(options.bn);
      const started = Date.now();
      const resumeFrom = epoch === firstEpoch ? resume?.partial : undefined;
      const { sums, stoppedAfter } = await this.trainEpoch(stage, s, epoch, epochs, stepsPerEpoch, resumeFrom);
      if (stoppedAfter !== undefined) {
        this.position = { stage: s, epoch: epoch - 1 };
        this.partial = { steps: stoppedAfter, sums };
        await this.callbacks.onStopped?.(() => this.snapshot(false));
        throw new GraftError('GRAFT_INTERRUPTED', {
          what: `Training stopped on request in stage ${s} (${stageName}), epoch ${epoch}, after step ${stoppedAfter} of ${stepsPerEpoch}`,
          why: 'The process was asked to stop (SIGINT or SIGTERM); the state at that step was checkpointed.',
          fix: 'Continue exactly where it stopped with `graft train -c FILE --resume` (same config)',
        });
      }
      const meanLosses = this.data.tasks.map((t) => sums.taskLoss[t.name]! / Math.max(sums.taskSteps[t.name]!, 1));
      this.weighting.endEpoch?.(meanLosses);
      const metrics = (await this.evaluate('validation')) ?? {};
      const entry: HistoryEntry = {
        stage: s,
        stageName,
        epoch,
        loss: sums.loss / Math.max(sums.steps, 1),
        taskLosses: Object.fromEntries(this.data.tasks.map((t, i) => [t.name, meanLosses[i]!])),
        taskWeights: await this.weighting.currentWeights(),
        trainable: this.model.groups.filter((g) => g.trainable).map((g) => g.name),
        metrics,
        seconds: (Date.now() - started) / 1000,
      };
      this.history.push(entry);
      this.position = { stage: s, epoch };
      const stop = this.updateEarlyStopping(stage, metrics, epoch);
      const stageDone = stop || epoch === epochs - 1;
      // The best weights go back before the checkpoint is written, so eval and predict see what train reports.
      if (stageDone && this.best?.weights && this.best.epoch !== epoch) {
        const weights = this.best.weights;
        this.model.weights().forEach((w, i) => w.variable.assign(weights[i]!));
        this.resets += 1;
        this.log.info(`Stage ${s}: restored the weights of epoch ${this.best.epoch}, the best on validation.`);
      }
      await this.callbacks.onEpochEnd?.(entry, () => this.snapshot(stageDone));
      if (stop) {
        this.log.info(`Early stopping in stage ${s} after epoch ${epoch}: no improvement since epoch ${this.best!.epoch}.`);
        break;
      }
    }
    this.disposeBest();
  }

  /** Track the best epoch of the first task's primary validation metric; true when patience ran out. */
  private updateEarlyStopping(stage: StagePlan, metrics: TaskMetrics, epoch: number): boolean {
    const stop = stage.options.earlyStopping;
    const primary = this.data.tasks[0]!;
    const value = metrics[primary.name]?.[primary.type.primaryMetric.name];
    if (!stop || typeof value !== 'number') return false;
    const sign = primary.type.primaryMetric.higherIsBetter ? 1 : -1;
    if (!this.best || sign * (value - this.best.value) > stop.minDelta) {
      this.disposeBest();
      this.best = { value, epoch, weights: stop.restoreBest ? this.model.weights().map((w) => tf.clone(w.variable)) : undefined };
      return false;
    }
    return epoch - this.best.epoch >= stop.patience;
  }

  private disposeBest(): void {
    this.best?.weights?.forEach((w) => w.dispose());
    this.best = undefined;
  }

  /**
   * The dry run of `graft plan`: stage `s`'s orchestration as training would run it (the strategy's setup and
   * epoch hooks, discriminative rates, head rate, schedule) without a step — which groups train each epoch and
   * at what learning rate (at the epoch's first step).
   */
  describeStage(s: number): { name: string; weighting: string; epochs: { epoch: number; groups: { name: string; lr: number }[] }[] } {
    const stage = this.plan.stages[s]!;
    const { strategy, options } = stage;
    const control = this.stageControl(stage);
    this.applyDiscriminative(stage);
    strategy.setup(control);
    const epochs = options.epochs ?? strategy.defaultEpochs?.(this.model.groups.length, options) ?? 1;
    const stepsPerEpoch = this.stepsPerEpoch(options.batchSize, options.sampling);
    const out = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      strategy.onEpochStart?.(control, epoch);
      const factor = scheduleFactor(options.schedule, epoch * stepsPerEpoch, epochs * stepsPerEpoch);
      const groups = this.model.groups
        .filter((g) => g.trainable)
        .map((g) => ({ name: g.name, lr: (g === this.model.headGroup && options.headLr !== undefined ? options.headLr : options.lr * g.lrMultiplier) * factor }));
      out.push({ epoch, groups });
    }
    return { name: options.name ?? strategy.name, weighting: stage.weighting.plugin.name, epochs: out };
  }

  private async trainEpoch(
    stage: StagePlan,
    s: number,
    epoch: number,
    epochs: number,
    stepsPerEpoch: number,
    resumeFrom?: { steps: number; sums: EpochSums },
  ): Promise<{ sums: EpochSums; stoppedAfter?: number }> {
    const { options } = stage;
    const epochRng = new Rng(deriveSeed(this.plan.seed, s, epoch));
    const cursors = this.data.groups.map((g) => ({ order: epochRng.permutation(g.dataset.train.size), at: 0 }));
    const sampleWeights = this.samplingWeights(options.sampling, options.temperature);
    const sums: EpochSums = resumeFrom
      ? structuredClone(resumeFrom.sums)
      : {
          loss: 0,
          steps: 0,
          taskLoss: Object.fromEntries(this.data.tasks.map((t) => [t.name, 0])),
          taskSteps: Object.fromEntries(this.data.tasks.map((t) => [t.name, 0])),
        };
    const mode = this.cacheMode(options);
    for (let step = 0; step < stepsPerEpoch; step++) {
      const globalStep = epoch * stepsPerEpoch + step;
      const groups = options.sampling === 'all' ? this.data.groups.map((_, i) => i) : [pickIndex(sampleWeights, epochRng)];
      if (resumeFrom && step < resumeFrom.steps) {
        // Steps done before the stop: replay only their draws, so the epoch continues with the same batches.
        for (const gi of groups) nextIndices(cursors[gi]!, this.data.groups[gi]!.dataset.train.size, options.batchSize, epochRng);
        continue;
      }
      const batches: StepBatch[] = [];
      for (const gi of groups) batches.push(await this.nextBatch(gi, cursors[gi]!, options.batchSize, epochRng, mode));
      const info: StepInfo = { step: globalStep, epoch, stepsPerEpoch };
      const factor = scheduleFactor(options.schedule, globalStep, epochs * stepsPerEpoch);
      const losses = await this.step(stage, batches, info, factor, deriveSeed(this.plan.seed, s, globalStep, 3));
      batches.forEach((b) => disposeBatch(b.batch));
      let total = 0;
      for (const [task, value] of losses) {
        if (!Number.isFinite(value)) {
          throw new GraftError('GRAFT_NAN_LOSS', {
            what: `The loss of task "${task}" became ${value} in stage ${s} (${options.name ?? stage.strategy.name}), epoch ${epoch}, step ${step}`,
            why: 'Training diverged: the learning rate is usually too high, or the data holds NaN or infinite values.',
            fix: 'Lower `lr`, set `clipNorm`, or check the data. The last checkpoint (end of the previous epoch) was kept',
          });
        }
        sums.taskLoss[task]! += value;
        sums.taskSteps[task]! += 1;
        total += value;
      }
      sums.loss += total;
      sums.steps += 1;
      this.callbacks.onStep?.({ stage: s, stageName: options.name ?? stage.strategy.name, epoch, epochs, step, stepsPerEpoch, loss: total });
      if (step < stepsPerEpoch - 1 && this.callbacks.shouldStop?.()) return { sums, stoppedAfter: step + 1 };
    }
    return { sums };
  }

  /** One optimisation step over one batch per data group; returns each task's loss. */
  private async step(stage: StagePlan, batches: StepBatch[], info: StepInfo, factor: number, dropoutSeed: number): Promise<Map<string, number>> {
    const weighting = this.weighting!;
    const trainableGroups = this.model.groups.filter((g) => g.trainable);
    const headGroup = this.model.headGroup;
    const trunkVars = trainableGroups.filter((g) => g !== headGroup).flatMap((g) => g.variables);
    const headVars = headGroup.trainable ? headGroup.variables : [];
    const weightingVars = weighting.kind === 'loss' && weighting.variables ? Object.values(weighting.variables()) : [];
    // Weightings index their state by config order: hand them the present tasks' losses in that order.
    const present = this.data.tasks.filter((t) => batches.some((b) => b.group.tasks.includes(t)));
    const taskNames = present.map((t) => t.name);
    info = { ...info, tasks: present.map((t) => this.data.tasks.indexOf(t)) };
    const lossValues = new Map<string, number>();

    const taskLosses = (only?: string): tf.Scalar[] => {
      const featuresOf = new Map<StepBatch, tf.Tensor2D>();
      return present
        .filter((t) => !only || t.name === only)
        .map((task) => {
          const b = batches.find((x) => x.group.tasks.includes(task))!;
          // A pretext head (masked-LM, contrastive views) makes its targets from the raw inputs itself.
          const pretext = this.model.pretextHeads.get(task.name);
          if (pretext) return pretext.loss(b.batch.host, true, dropoutSeed);
          let f = featuresOf.get(b);
          if (!f) {
            f =
              b.features ??
              (b.activations && b.split
                ? b.split.suffix(b.activations, true)
                : this.model.trunkFrozen
                  ? this.model.features(b.batch.inputs, false)
                  : this.model.trunk.apply(this.model.trunk.preprocess(b.batch.inputs), true));
            featuresOf.set(b, f);
          }
          const target = b.batch.targets[task.name]!;
          return task.type.loss(this.model.heads.get(task.name)!.apply(f, true, dropoutSeed), target.y, target.mask);
        });
    };

    const grads = new Map<tf.Variable, tf.Tensor>();
    if (weighting.kind === 'loss' || trunkVars.length === 0) {
      const vars = [...trunkVars, ...headVars, ...weightingVars];
      let kept: tf.Scalar[] = [];
      const { value, grads: g } = tf.variableGrads(() => {
        const losses = taskLosses();
        kept = losses.map((l) => tf.keep(l));
        return weighting.kind === 'loss' ? weighting.combine(losses, info) : (tf.addN(losses) as tf.Scalar);
      }, vars);
      value.dispose();
      // One asynchronous read per step: backends such as WebGPU in Node cannot read synchronously.
      const stacked = tf.stack(kept);
      const read = (await stacked.data()) as Float32Array;
      tf.dispose([stacked, ...kept]);
      taskNames.forEach((name, i) => lossValues.set(name, read[i]!));
      for (const v of vars) if (g[v.name]) grads.set(v, g[v.name]!);
    } else {
      const perTask: tf.Tensor1D[] = [];
      for (const name of taskNames) {
        const own = this.model.headVariables(name);
        const headOwn = headVars.filter((v) => own.includes(v));
        const { value, grads: g } = tf.variableGrads(() => taskLosses(name)[0]!, [...trunkVars, ...headOwn]);
        lossValues.set(name, (await value.data())[0]!);
        value.dispose();
        perTask.push(tf.tidy(() => tf.concat(trunkVars.map((v) => tf.reshape(g[v.name] ?? tf.zerosLike(v), [-1]))) as tf.Tensor1D));
        trunkVars.forEach((v) => g[v.name]?.dispose());
        for (const v of headOwn) if (g[v.name]) grads.set(v, g[v.name]!);
      }
      const combined = await weighting.combine(perTask, taskNames.map((n) => lossValues.get(n)!), info);
      tf.dispose(perTask);
      let offset = 0;
      for (const v of trunkVars) {
        const at = offset;
        grads.set(v, tf.tidy(() => tf.reshape(tf.slice(combined, [at], [v.size]), v.shape)));
        offset += v.size;
      }
      combined.dispose();
    }
    if (stage.options.clipNorm) await clipGlobalNorm(grads, stage.options.clipNorm);

    const lrOf = new Map<tf.Variable, number>();
    for (const g of trainableGroups) {
      const base = g === headGroup && stage.options.headLr !== undefined ? stage.options.headLr : stage.options.lr * g.lrMultiplier;
      for (const v of g.variables) lrOf.set(v, base * factor);
    }
    const keys = this.variableKeys();
    this.optimizer!.apply(
      [...grads].map(([variable, grad]) => ({ key: keys.get(variable) ?? `weighting/${variable.name}`, variable, grad, lr: lrOf.get(variable) ?? stage.options.lr * factor })),
    );
    tf.dispose([...grads.values()]);
    for (const g of trainableGroups) this.groupVersions[g.index]! += 1;
    return lossValues;
  }

  private variableKeys(): Map<tf.Variable, string> {
    const keys = new Map(this.model.weights().map((w) => [w.variable, w.key]));
    const extra = this.weighting?.kind === 'loss' ? this.weighting.variables?.() : undefined;
    for (const [k, v] of Object.entries(extra ?? {})) keys.set(v, `weighting/${k}`);
    return keys;
  }

  /** Which cached activations this epoch can train on: the whole frozen trunk's, a frozen prefix's, or none. */
  private cacheMode(options: StagePlan['options']): CacheMode {
    if (!options.cacheFeatures || this.data.tasks.some((t) => t.type.pretext) || this.data.groups.some((g) => g.dataset.augment)) return { kind: 'none' };
    if (this.model.trunkFrozen) return { kind: 'features' };
    const boundary = this.model.groups.findIndex((g) => g.trainable);
    if (options.bn === 'train' || boundary <= 0) return { kind: 'none' };
    const split = this.model.trunk.split?.(boundary);
    return split ? { kind: 'prefix', boundary, split } : { kind: 'none' };
  }

  private cacheKey(groups: number): string {
    return `${groups}|${this.resets}|${this.groupVersions.slice(0, groups).join(',')}`;
  }

  private async nextBatch(gi: number, cursor: { order: Int32Array; at: number }, batchSize: number, rng: Rng, mode: CacheMode): Promise<StepBatch> {
    const group = this.data.groups[gi]!;
    const train = group.dataset.train;
    const indices = nextIndices(cursor, train.size, batchSize, rng);
    let cached: CachedActivations | undefined;
    if (mode.kind === 'features') cached = await this.featureCache.get(train, this.cacheKey(this.model.groups.length - 1), trunkFeatures(this.model));
    if (mode.kind === 'prefix') cached = await this.prefixCache.get(train, this.cacheKey(mode.boundary), prefixActivations(this.model, mode.split));
    const batch = gatherBatch(cached ? { ...train, inputs: {} } : train, indices, group.tasks, this.data.scales);
    const augment = group.dataset.augment;
    if (augment && !cached) {
      const raw = batch.inputs;
      const seed = rng.seed();
      batch.inputs = tf.tidy(() => augment(raw, seed));
      tf.dispose(Object.values(raw).filter((t) => !Object.values(batch.inputs).includes(t)));
    }
    if (!cached) return { group, batch };
    const rows = gatherRows(cached, indices);
    batch.inputs = { cached: rows };
    return mode.kind === 'features' ? { group, batch, features: rows as tf.Tensor2D } : { group, batch, activations: rows, split: (mode as { split: TrunkSplit }).split };
  }

  private stepsPerEpoch(batchSize: number, sampling: string): number {
    const counts = this.data.groups.map((g) => Math.ceil(g.dataset.train.size / batchSize));
    return sampling === 'all' ? Math.max(...counts) : counts.reduce((a, b) => a + b, 0);
  }

  private samplingWeights(sampling: string, temperature: number): number[] {
    const sizes = this.data.groups.map((g) => g.dataset.train.size);
    const raw = sizes.map((n) => (sampling === 'uniform' ? 1 : sampling === 'temperature' ? n ** (1 / temperature) : n));
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w / total);
  }

  private applyDiscriminative(stage: StagePlan): void {
    const G = this.model.groups.length;
    const factor = stage.options.discriminative?.factor ?? 1;
    this.model.groups.forEach((g, i) => (g.lrMultiplier = 1 / factor ** (G - 1 - i)));
  }

  /** Which normalisation layers run in inference mode: see the `bn` stage option. */
  private syncNormModes(bn: 'frozen' | 'inference' | 'train'): void {
    for (const g of this.model.groups) g.setNormInference?.(bn === 'inference' || (bn === 'frozen' && !g.trainable));
  }

  private stageControl(stage: StagePlan): StageControl<Record<string, unknown>> {
    const model = this.model;
    const rng = this.rng;
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
        this.resets += 1;
      },
      setNormMomentum: (momentum: number) => {
        if (stage.options.bnMomentum === undefined) model.trunk.setNormMomentum?.(momentum);
      },
      log: this.log,
    };
  }

  /** Evaluate every task on a split; undefined when no dataset has that split. */
  evaluate(split: SplitName): Promise<TaskMetrics | undefined> {
    const frozen = this.model.trunkFrozen;
    const key = this.cacheKey(this.model.groups.length - 1);
    return evaluateSplit(this.model, this.allData, split, async (examples) => (frozen ? this.featureCache.get(examples, key, trunkFeatures(this.model)) : undefined));
  }

  private async finalEvaluation(): Promise<TrainResult['final']> {
    const order: SplitName[] = [this.plan.evaluate.split, 'validation', 'test', 'train'];
    for (const split of order) {
      const metrics = await this.evaluate(split);
      if (metrics) {
        if (split !== this.plan.evaluate.split) this.log.warn(`No ${this.plan.evaluate.split} split: final metrics are on the ${split} split.`);
        return { split, metrics };
      }
    }
    return { split: this.plan.evaluate.split, metrics: {} };
  }

  /** The state after the current epoch, for a checkpoint. */
  snapshot(stageDone: boolean): TrainerSnapshot {
    return {
      position: { ...this.position, stageDone: stageDone },
      partial: this.partial,
      rng: this.rng.state,
      trunkRng: this.model.trunk.randomState?.(),
      history: [...this.history],
      optimizer: this.optimizer?.snapshot() ?? {},
      weighting: { state: this.weighting?.state?.(), variables: this.weighting?.kind === 'loss' ? this.weighting.variables?.() ?? {} : {} },
      groups: this.model.groups.map((g) => ({ trainable: g.trainable, lrMultiplier: g.lrMultiplier })),
      earlyStopping: this.best && !stageDone ? { value: this.best.value, epoch: this.best.epoch } : null,
      bestWeights: this.best && !stageDone ? this.best.weights : undefined,
    };
  }

  /** Used by a restored state mid-stage: early stopping's best epoch (and its weights, which the trainer now owns). */
  restoreEarlyStopping(best: { value: number; epoch: number } | null, weights?: tf.Tensor[]): void {
    this.disposeBest();
    if (best) this.best = { ...best, weights };
    else weights?.forEach((w) => w.dispose());
  }

  /** Used by a restored state to put optimizer, random stream and weighting state back. */
  restoreInternals(opt: Parameters<Optimizer['restore']>[0] | undefined, rngState: number, weightingState: unknown, trunkRng?: number): void {
    if (opt) this.optimizer?.restore(opt);
    this.rng.state = rngState;
    if (trunkRng !== undefined) this.model.trunk.restoreRandomState?.(trunkRng);
    if (weightingState !== undefined) this.weighting?.restore?.(weightingState);
    this.resets += 1;
  }

  get weightingMethod(): WeightingMethod | undefined {
    return this.weighting;
  }

  dispose(): void {
    this.disposeBest();
    this.optimizer?.dispose();
    this.featureCache.clear();
    this.prefixCache.clear();
  }
}

/** The part of the data a stage trains: only the named tasks, and only the data groups they read. */
function stageTasks(data: PreparedData, names: readonly string[] | undefined): PreparedData {
  if (!names) return data;
  const groups = data.groups.map((g) => ({ ...g, tasks: g.tasks.filter((t) => names.includes(t.name)) })).filter((g) => g.tasks.length > 0);
  return { ...data, groups, tasks: data.tasks.filter((t) => names.includes(t.name)) };
}
