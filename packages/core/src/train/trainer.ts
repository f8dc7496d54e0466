import * as tf from '@tensorflow/tfjs';
import type { RunPlan, StagePlan } from '../config/load.js';
import { gatherBatch, disposeBatch, type Batch, type DataGroup, type PreparedData } from '../data/prepare.js';
import { GraftError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GraftModel, GroupState } from '../model/graft-model.js';
import type { StageControl } from '../strategy.js';
import type { StepInfo, WeightingMethod } from '../weighting.js';
import { evaluateSplit, type SplitName, type TaskMetrics } from './evaluate.js';
import { ActivationCache, gatherRows, prefixActivations, trunkFeatures, type CachedActivations } from './features.js';
import type { TrunkSplit } from '../model/trunk.js';
import { Optimizer, type SlotState } from './optimizer.js';
import { deriveSeed, Rng } from './rng.js';
import { scheduleFactor } from './schedule.js';
import type { RunState } from '../checkpoint/checkpoint.js';

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

export interface TrainCallbacks {
  onStep?(progress: StepProgress): void;
  /** After each epoch; `snapshot` captures the training state for a checkpoint. The loop awaits it. */
  onEpochEnd?(entry: HistoryEntry, snapshot: () => TrainerSnapshot): void | Promise<void>;
}

/** The training state after an epoch: what a checkpoint stores besides the weights. */
export interface TrainerSnapshot {
  position: { stage: number; epoch: number; stageDone: boolean };
  rng: number;
  history: HistoryEntry[];
  optimizer: Record<string, SlotState>;
  weighting: { state: unknown; variables: Record<string, tf.Variable> };
  groups: { trainable: boolean; lrMultiplier: number }[];
}

export interface TrainResult {
  history: HistoryEntry[];
  final: { split: SplitName; metrics: TaskMetrics };
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
    if (resume) {
      resume.restoreInto(this);
      firstEpoch = resume.position.epoch + 1;
    }
    const stepsPerEpoch = this.stepsPerEpoch(options.batchSize, options.sampling);
    const stageName = options.name ?? strategy.name;
    let best: { value: number; epoch: number; weights?: tf.Tensor[] } | undefined;

    for (let epoch = firstEpoch; epoch < epochs; epoch++) {
      strategy.onEpochStart?.(control, epoch);
      this.syncNormModes(options.bn);
      const started = Date.now();
      const sums = await this.trainEpoch(stage, s, epoch, epochs, stepsPerEpoch);
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
      await this.callbacks.onEpochEnd?.(entry, () => this.snapshot(epoch === epochs - 1));

      const stop = options.earlyStopping;
      const primary = this.data.tasks[0]!;
      const value = metrics[primary.name]?.[primary.type.primaryMetric.name];
      if (stop && typeof value === 'number') {
        const sign = primary.type.primaryMetric.higherIsBetter ? 1 : -1;
        if (!best || sign * (value - best.value) > stop.minDelta) {
          best?.weights?.forEach((w) => w.dispose());
          best = { value, epoch, weights: stop.restoreBest ? this.model.weights().map((w) => tf.clone(w.variable)) : undefined };
        } else if (epoch - best.epoch >= stop.patience) {
          this.log.info(`Early stopping in stage ${s} after epoch ${epoch}: no improvement since epoch ${best.epoch}.`);
          if (best.weights) this.model.weights().forEach((w, i) => w.variable.assign(best!.weights![i]!));
          break;
        }
      }
    }
    best?.weights?.forEach((w) => w.dispose());
  }

  private async trainEpoch(stage: StagePlan, s: number, epoch: number, epochs: number, stepsPerEpoch: number) {
    const { options } = stage;
    const epochRng = new Rng(deriveSeed(this.plan.seed, s, epoch));
    const cursors = this.data.groups.map((g) => ({ order: epochRng.permutation(g.dataset.train.size), at: 0 }));
    const sampleWeights = this.samplingWeights(options.sampling, options.temperature);
    const sums = {
      loss: 0,
      steps: 0,
      taskLoss: Object.fromEntries(this.data.tasks.map((t) => [t.name, 0])),
      taskSteps: Object.fromEntries(this.data.tasks.map((t) => [t.name, 0])),
    };
    const mode = this.cacheMode(options);
    for (let step = 0; step < stepsPerEpoch; step++) {
      const globalStep = epoch * stepsPerEpoch + step;
      const groups = options.sampling === 'all' ? this.data.groups.map((_, i) => i) : [pickIndex(sampleWeights, epochRng)];
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
    }
    return sums;
  }

  /** One optimisation step over one batch per data group; returns each task's loss. */
  private async step(stage: StagePlan, batches: StepBatch[], info: StepInfo, factor: number, dropoutSeed: number): Promise<Map<string, number>> {
    const weighting = this.weighting!;
    const trainableGroups = this.model.groups.filter((g) => g.trainable);
    const headGroup = this.model.headGroup;
    const trunkVars = trainableGroups.filter((g) => g !== headGroup).flatMap((g) => g.variables);
    const headVars = headGroup.trainable ? headGroup.variables : [];
    const weightingVars = weighting.kind === 'loss' && weighting.variables ? Object.values(weighting.variables()) : [];
    const taskNames: string[] = [];
    const lossValues = new Map<string, number>();

    const taskLosses = (only?: string): tf.Scalar[] => {
      const out: tf.Scalar[] = [];
      for (const { group, batch, features, activations, split } of batches) {
        const tasks = group.tasks.filter((t) => !only || t.name === only);
        let f: tf.Tensor2D | undefined;
        for (const task of tasks) {
          const pretext = this.model.pretextHeads.get(task.name);
          if (pretext) {
            out.push(pretext.loss(batch.host, true, dropoutSeed));
            continue;
          }
          f ??=
            features ??
            (activations && split
              ? split.suffix(activations, true)
              : this.model.trunkFrozen
                ? this.model.features(batch.inputs, false)
                : this.model.trunk.apply(this.model.trunk.preprocess(batch.inputs), true));
          const target = batch.targets[task.name]!;
          out.push(task.type.loss(this.model.heads.get(task.name)!.apply(f, true, dropoutSeed), target.y, target.mask));
        }
      }
      return out;
    };
    for (const { group } of batches) taskNames.push(...group.tasks.map((t) => t.name));

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
        grads.set(v, tf.reshape(tf.slice(combined, [offset], [v.size]), v.shape));
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
    if (cursor.at >= cursor.order.length) {
      cursor.order = rng.permutation(train.size);
      cursor.at = 0;
    }
    const indices = cursor.order.subarray(cursor.at, Math.min(cursor.at + batchSize, cursor.order.length));
    cursor.at += indices.length;
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
      rng: this.rng.state,
      history: [...this.history],
      optimizer: this.optimizer?.snapshot() ?? {},
      weighting: { state: this.weighting?.state?.(), variables: this.weighting?.kind === 'loss' ? this.weighting.variables?.() ?? {} : {} },
      groups: this.model.groups.map((g) => ({ trainable: g.trainable, lrMultiplier: g.lrMultiplier })),
    };
  }

  /** Used by a restored state to put optimizer, random stream and weighting state back. */
  restoreInternals(opt: Parameters<Optimizer['restore']>[0] | undefined, rngState: number, weightingState: unknown): void {
    if (opt) this.optimizer?.restore(opt);
    this.rng.state = rngState;
    if (weightingState !== undefined) this.weighting?.restore?.(weightingState);
    this.resets += 1;
  }

  get weightingMethod(): WeightingMethod | undefined {
    return this.weighting;
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.featureCache.clear();
    this.prefixCache.clear();
  }
}

type CacheMode = { kind: 'none' } | { kind: 'features' } | { kind: 'prefix'; boundary: number; split: TrunkSplit };

/** A training batch, with cached trunk features or cached prefix activations when the cache is in use. */
interface StepBatch {
  group: DataGroup;
  batch: Batch;
  features?: tf.Tensor2D;
  activations?: tf.Tensor;
  split?: TrunkSplit;
}

/** The part of the data a stage trains: only the named tasks, and only the data groups they read. */
function stageTasks(data: PreparedData, names: readonly string[] | undefined): PreparedData {
  if (!names) return data;
  const groups = data.groups.map((g) => ({ ...g, tasks: g.tasks.filter((t) => names.includes(t.name)) })).filter((g) => g.tasks.length > 0);
  return { ...data, groups, tasks: data.tasks.filter((t) => names.includes(t.name)) };
}

function pickIndex(weights: number[], rng: Rng): number {
  let u = rng.next();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

async function clipGlobalNorm(grads: Map<tf.Variable, tf.Tensor>, maxNorm: number): Promise<void> {
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
  const norm = (await normTensor.data())[0]!;
  normTensor.dispose();
  if (norm <= maxNorm) return;
  for (const [v, g] of grads) {
    grads.set(v, tf.mul(g, maxNorm / norm));
    g.dispose();
  }
}
