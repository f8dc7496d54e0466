import * as tf from '@tensorflow/tfjs';
import type { StageOptions } from '../config/stage-options.js';
import type { GraftModel } from '../model/graft-model.js';
import type { Task } from '../task.js';
import type { GradientWeightingMethod, LossWeightingMethod, StepInfo, WeightingMethod } from '../weighting.js';
import type { StepBatch } from './batching.js';
import { clipGlobalNorm } from './clip.js';
import type { Optimizer } from './optimizer.js';

/** What one optimisation step reads: the model, the stage's tasks and options, its weighting and optimizer. */
export interface StepContext {
  model: GraftModel;
  /** The stage's tasks, in config order. */
  tasks: readonly Task[];
  options: StageOptions;
  weighting: WeightingMethod;
  optimizer: Optimizer;
}

type Grads = Map<tf.Variable, tf.Tensor>;

/** What a step measured: each task's loss, and whether every gradient was finite (if not, nothing was updated). */
export interface StepResult {
  losses: Map<string, number>;
  gradientsFinite: boolean;
}

/**
 * One optimisation step over one batch per data group: task losses, their gradients through the weighting
 * (a loss weighting combines the losses; a gradient weighting combines per-task trunk gradients), global-norm
 * clipping, and the update at each group's rate times the schedule's `factor`. A NaN or infinite gradient skips
 * the update: a finite loss does not prove finite gradients (a clamped activation, such as the fused relu6 of
 * XNNPACK on wasm, turns a NaN input or weight into a finite output while its gradient stays NaN).
 */
export async function optimisationStep(ctx: StepContext, batches: StepBatch[], info: StepInfo, factor: number, dropoutSeed: number): Promise<StepResult> {
  const { model, weighting } = ctx;
  const trainable = model.groups.filter((g) => g.trainable);
  const trunkVars = trainable.filter((g) => g !== model.headGroup).flatMap((g) => g.variables);
  const headVars = model.headGroup.trainable ? model.headGroup.variables : [];
  // Weightings index their state by config order: hand them the present tasks' losses in that order.
  const present = ctx.tasks.filter((t) => batches.some((b) => b.group.tasks.includes(t)));
  info = { ...info, tasks: present.map((t) => ctx.tasks.indexOf(t)) };
  const losses = (only?: string) => taskLosses(model, present, batches, dropoutSeed, only);
  const { grads, values, gradientsFinite } =
    weighting.kind === 'loss' || trunkVars.length === 0
      ? await lossWeighted(weighting, losses, present, [...trunkVars, ...headVars], info)
      : await gradientWeighted(weighting, losses, model, present, trunkVars, headVars, info);
  if (!gradientsFinite) {
    tf.dispose([...grads.values()]);
    return { losses: values, gradientsFinite };
  }
  if (ctx.options.clipNorm) await clipGlobalNorm(grads, ctx.options.clipNorm);
  update(ctx, grads, factor);
  return { losses: values, gradientsFinite };
}

/** Σ over every gradient of its sum: finite exactly when no gradient holds a NaN or an infinity (or overflows). */
function gradientChecksum(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.addN([tf.scalar(0), ...[...grads].map((g) => tf.sum(g))]) as tf.Scalar);
}

/** Each present task's loss on its batch (`only`: that task's alone). */
function taskLosses(model: GraftModel, present: readonly Task[], batches: StepBatch[], dropoutSeed: number, only?: string): tf.Scalar[] {
  const featuresOf = new Map<StepBatch, tf.Tensor2D>();
  return present
    .filter((t) => !only || t.name === only)
    .map((task) => {
      const b = batches.find((x) => x.group.tasks.includes(task))!;
      // A pretext head (masked-LM, contrastive views) makes its targets from the raw inputs itself.
      const pretext = model.pretextHeads.get(task.name);
      if (pretext) return pretext.loss(b.batch.host, true, dropoutSeed);
      let f = featuresOf.get(b);
      if (!f) {
        f =
          b.features ??
          (b.activations && b.split
            ? b.split.suffix(b.activations, true)
            : model.trunkFrozen
              ? model.features(b.batch.inputs, false)
              : model.trunk.apply(model.trunk.preprocess(b.batch.inputs), true));
        featuresOf.set(b, f);
      }
      const target = b.batch.targets[task.name]!;
      return task.type.loss(model.heads.get(task.name)!.apply(f, true, dropoutSeed), target.y, target.mask);
    });
}

/** Loss weighting (or the plain sum): one backward pass through the combined loss. */
async function lossWeighted(
  weighting: WeightingMethod,
  losses: () => tf.Scalar[],
  present: readonly Task[],
  modelVars: tf.Variable[],
  info: StepInfo,
): Promise<{ grads: Grads; values: Map<string, number>; gradientsFinite: boolean }> {
  const loss = weighting.kind === 'loss' ? (weighting as LossWeightingMethod) : undefined;
  const vars = [...modelVars, ...(loss?.variables ? Object.values(loss.variables()) : [])];
  let kept: tf.Scalar[] = [];
  const { value, grads: g } = tf.variableGrads(() => {
    const ls = losses();
    kept = ls.map((l) => tf.keep(l));
    return loss ? loss.combine(ls, info) : (tf.addN(ls) as tf.Scalar);
  }, vars);
  value.dispose();
  const grads: Grads = new Map();
  for (const v of vars) if (g[v.name]) grads.set(v, g[v.name]!);
  // One asynchronous read per step (the losses, then the gradients' checksum): backends such as WebGPU in Node
  // cannot read synchronously.
  const checksum = gradientChecksum(grads.values());
  const stacked = tf.stack([...kept, checksum]);
  const read = (await stacked.data()) as Float32Array;
  tf.dispose([stacked, checksum, ...kept]);
  return { grads, values: new Map(present.map((t, i) => [t.name, read[i]!])), gradientsFinite: Number.isFinite(read[kept.length]!) };
}

/** Gradient weighting: one backward pass per task, the flattened trunk gradients combined by the weighting. */
async function gradientWeighted(
  weighting: WeightingMethod,
  losses: (only: string) => tf.Scalar[],
  model: GraftModel,
  present: readonly Task[],
  trunkVars: tf.Variable[],
  headVars: tf.Variable[],
  info: StepInfo,
): Promise<{ grads: Grads; values: Map<string, number>; gradientsFinite: boolean }> {
  const grads: Grads = new Map();
  const values = new Map<string, number>();
  const perTask: tf.Tensor1D[] = [];
  for (const { name } of present) {
    const own = model.headVariables(name);
    const headOwn = headVars.filter((v) => own.includes(v));
    const { value, grads: g } = tf.variableGrads(() => losses(name)[0]!, [...trunkVars, ...headOwn]);
    values.set(name, (await value.data())[0]!);
    value.dispose();
    perTask.push(tf.tidy(() => tf.concat(trunkVars.map((v) => tf.reshape(g[v.name] ?? tf.zerosLike(v), [-1]))) as tf.Tensor1D));
    trunkVars.forEach((v) => g[v.name]?.dispose());
    for (const v of headOwn) if (g[v.name]) grads.set(v, g[v.name]!);
  }
  const combined = await (weighting as GradientWeightingMethod).combine(perTask, present.map((t) => values.get(t.name)!), info);
  tf.dispose(perTask);
  let offset = 0;
  for (const v of trunkVars) {
    const at = offset;
    grads.set(v, tf.tidy(() => tf.reshape(tf.slice(combined, [at], [v.size]), v.shape)));
    offset += v.size;
  }
  combined.dispose();
  const checksum = gradientChecksum(grads.values());
  const gradientsFinite = Number.isFinite((await checksum.data())[0]!);
  checksum.dispose();
  return { grads, values, gradientsFinite };
}

/** Apply the gradients at per-group rates (discriminative multipliers, `headLr`) times the schedule factor. */
function update(ctx: StepContext, grads: Grads, factor: number): void {
  const { model, options } = ctx;
  const lrOf = new Map<tf.Variable, number>();
  for (const g of model.groups.filter((x) => x.trainable)) {
    const base = g === model.headGroup && options.headLr !== undefined ? options.headLr : options.lr * g.lrMultiplier;
    for (const v of g.variables) lrOf.set(v, base * factor);
  }
  const keys = new Map(model.weights().map((w) => [w.variable, w.key]));
  const extra = ctx.weighting.kind === 'loss' ? ctx.weighting.variables?.() : undefined;
  for (const [k, v] of Object.entries(extra ?? {})) keys.set(v, `weighting/${k}`);
  ctx.optimizer.apply([...grads].map(([variable, grad]) => ({ key: keys.get(variable) ?? `weighting/${variable.name}`, variable, grad, lr: lrOf.get(variable) ?? options.lr * factor })));
  tf.dispose([...grads.values()]);
}
