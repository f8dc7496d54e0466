import * as tf from '@tensorflow/tfjs';
import type { DataSpec, TaskPlan } from '../config/load.js';
import { GraftError } from '../errors.js';
import type { Environment } from '../env/environment.js';
import type { SourcePreprocessing } from '../source.js';
import type { Task } from '../task.js';
import { deriveSeed, Rng } from '../train/rng.js';
import type { Dataset, Examples, HostTensor, TargetColumn } from './examples.js';
import { stratifiedFolds, stratifiedSplit } from './split.js';

/** Tasks that read the same dataset; each training step takes one batch per group. */
export interface DataGroup {
  key: string;
  dataset: Dataset;
  tasks: Task[];
}

/** Standardisation of a regression target, from its labelled training values. */
export interface TargetScale {
  mean: number;
  std: number;
}

export interface PreparedData {
  groups: DataGroup[];
  tasks: Task[];
  scales: Map<string, TargetScale>;
  /**
   * What the user should know about the data before training starts, each line prefixed by its dataset's
   * config path: the datasets' own notes (skipped files, unlabelled texts, carved splits) and how core
   * split it (few-shot subsampling, stratified validation, folds). `prepareData` logs each one.
   */
  notes: string[];
}

export interface PrepareOptions {
  /** Drop the test split unread: the run evaluates on validation (cross-validation folds, search trials). */
  withoutTest?: boolean;
  seed: number;
  configDir: string;
  env: Environment;
  /** The source's `preprocessing` settings, passed to each dataset. */
  sourcePreprocessing?: SourcePreprocessing;
}

/** Load each distinct dataset once, apply few-shot subsampling and validation hold-out, resolve tasks. */
export async function prepareData(
  tasks: readonly TaskPlan[],
  opts: PrepareOptions,
): Promise<PreparedData> {
  const groups: DataGroup[] = [];
  const resolved: Task[] = [];
  const notes: string[] = [];
  for (const plan of tasks) {
    // Few-shot subsampling limits labelled samples; a self-supervised task reads every training text of its
    // data (ULMFiT's language model learns from the target task's unlabelled texts), so it gets its own group.
    const spec = plan.type.pretext && plan.data.perClass ? { ...plan.data, perClass: undefined, key: `${plan.data.key}#unlabelled` } : plan.data;
    let group = groups.find((g) => g.key === spec.key);
    if (!group) {
      const { dataset, notes: split } = await loadDataset(spec, opts);
      const where = spec.where;
      for (const note of [...(dataset.notes ?? []), ...split]) {
        notes.push(`${where}: ${note}`);
        opts.env.log.info(`${where}: ${note}`);
      }
      group = { key: spec.key, dataset, tasks: [] };
      groups.push(group);
    }
    const { dataset } = group;
    if (plan.type.pretext) {
      // A self-supervised task makes its targets from the inputs: it reads no label column.
      const task: Task = { name: plan.name, type: plan.type, target: '', info: { kind: 'values', dims: 0 }, dataGroup: groups.indexOf(group), headSize: 0 };
      group.tasks.push(task);
      resolved.push(task);
      continue;
    }
    const target = plan.target ?? dataset.defaultTarget;
    const info = dataset.targets[target];
    const where = `${plan.data.where.replace(/\.data$/, '')}.target`;
    if (!info) {
      throw new GraftError('GRAFT_LABELS_MISMATCH', { what: `Task "${plan.name}" reads label column "${target}", which its dataset does not have`, where, choices: Object.keys(dataset.targets) });
    }
    const problem = plan.type.checkTarget(info);
    if (problem) throw new GraftError('GRAFT_LABELS_MISMATCH', { what: `Task "${plan.name}": ${problem}`, where, fix: `Use type ${info.kind === 'classes' ? 'classification' : 'regression'} or another column` });
    const labelled = countLabelled(dataset.train.targets[target]);
    if (labelled === 0) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `Task "${plan.name}" has no labelled training samples in column "${target}"`, where, fix: 'Pick a column with labels, or remove the task' });
    }
    const task: Task = { name: plan.name, type: plan.type, target, info, dataGroup: groups.indexOf(group), headSize: plan.type.headSize(info) };
    group.tasks.push(task);
    resolved.push(task);
  }
  const scales = new Map<string, TargetScale>();
  for (const task of resolved) {
    if (task.info.kind === 'values' && !task.type.pretext) scales.set(task.name, targetScale(groups[task.dataGroup]!.dataset.train.targets[task.target]!));
  }
  return { groups, tasks: resolved, scales, notes };
}

async function loadDataset(spec: DataSpec, opts: PrepareOptions): Promise<{ dataset: Dataset; notes: string[] }> {
  const loaded = await spec.plugin.load(spec.options, {
    configDir: opts.configDir,
    seed: opts.seed,
    log: opts.env.log,
    env: opts.env,
    where: spec.where,
    perClass: spec.perClass,
    sourcePreprocessing: opts.sourcePreprocessing,
  });
  // A run scored elsewhere (a fold, a search trial) never touches the test split: it is read once, at the end.
  const dataset = opts.withoutTest ? { ...loaded, test: undefined } : loaded;
  // Few-shot subsampling counts the dataset's default label column, whichever task reads the data, so every
  // run over the same data spec and seed (single-task baselines included) trains on the same samples.
  const column = dataset.defaultTarget;
  const notes: string[] = [];
  let train = dataset.train;
  let validation = dataset.validation;
  if (spec.perClass) {
    const labels = train.targets[column];
    if (!labels) throw new GraftError('GRAFT_LABELS_MISMATCH', { what: `perClass needs label column "${column}"`, where: spec.where, choices: Object.keys(train.targets) });
    const before = train.size;
    train = take(train, stratifiedSample(labels, spec.perClass, new Rng(deriveSeed(opts.seed, 202))));
    notes.push(`few-shot: ${train.size} of ${before} training samples kept, at most ${spec.perClass} per class of "${column}".`);
  }
  // Validation and folds are carved from the (subsampled) training split, stratified by the default
  // label column: a k-shot run selects epochs on k-shot validation, never on the labels it left out.
  const classes = dataset.targets[column]?.kind === 'classes' ? train.targets[column] : undefined;
  if (spec.validation && spec.validation > 0) {
    const { kept, held } = stratifiedSplit(train.size, classes, spec.validation, new Rng(deriveSeed(opts.seed, 101)));
    if (held.length === 0) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `validation: ${spec.validation} leaves no validation sample: every class of "${column}" has a single training sample`,
        where: `${spec.where}.validation`,
        fix: 'Raise perClass to at least 2, or remove `validation`',
      });
    }
    validation = take(train, held);
    train = take(train, kept);
    notes.push(
      `validation: ${held.length} samples held out of the ${spec.perClass ? `${spec.perClass}-shot ` : ''}training split${classes ? `, stratified by "${column}"` : ''}${spec.perClass ? ' (k-shot validation)' : ''}; ${train.size} remain for training.`,
    );
  }
  if (spec.fold) {
    const { index, count } = spec.fold;
    const fold = stratifiedFolds(train.size, classes, count, new Rng(deriveSeed(opts.seed, 303)));
    const held: number[] = [];
    const kept: number[] = [];
    fold.forEach((f, i) => (f === index ? held : kept).push(i));
    validation = take(train, held);
    train = take(train, kept);
    notes.push(`fold ${index + 1} of ${count}${classes ? ` (stratified by "${column}")` : ''}: ${held.length} samples held out, ${kept.length} for training.`);
  }
  let test = dataset.test;
  if (dataset.fitToTraining) {
    // Statistics (standardisation, imputation) come from the final training rows only.
    const fitted = dataset.fitToTraining({ train, validation, test });
    ({ train, validation, test } = fitted);
    notes.push(...(fitted.notes ?? []));
  }
  return { dataset: { ...dataset, train, validation, test }, notes };
}

/** Indices of up to `perClass` labelled samples of each class, seeded, in their original order. */
export function stratifiedSample(labels: TargetColumn, perClass: number, rng: Rng): Int32Array {
  const order = rng.permutation(labels.data.length);
  const counts = new Map<number, number>();
  const chosen: number[] = [];
  for (const i of order) {
    if (labels.mask && labels.mask[i] === 0) continue;
    const c = labels.data[i]!;
    const n = counts.get(c) ?? 0;
    if (n < perClass) {
      counts.set(c, n + 1);
      chosen.push(i);
    }
  }
  return Int32Array.from(chosen.sort((a, b) => a - b));
}

/** The samples at `indices`, copied. */
export function take(examples: Examples, indices: ArrayLike<number>): Examples {
  const pick = <T extends HostTensor | TargetColumn>(t: T): T => {
    const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const Ctor = t.data.constructor as new (n: number) => typeof t.data;
    const data = new Ctor(indices.length * row);
    for (let i = 0; i < indices.length; i++) data.set(t.data.subarray(indices[i]! * row, (indices[i]! + 1) * row), i * row);
    const out = { ...t, data, shape: [indices.length, ...t.shape.slice(1)] } as T;
    if ('mask' in t && t.mask) (out as TargetColumn).mask = Uint8Array.from(indices as ArrayLike<number>, (i) => t.mask![i]!);
    return out;
  };
  const out: Examples = {
    size: indices.length,
    inputs: Object.fromEntries(Object.entries(examples.inputs).map(([k, v]) => [k, pick(v)])),
    targets: Object.fromEntries(Object.entries(examples.targets).map(([k, v]) => [k, pick(v)])),
  };
  if (examples.rows) out.rows = Int32Array.from(indices as ArrayLike<number>, (i) => examples.rows![i]!);
  return out;
}

/** A batch as tensors: inputs by name, and for each task its target and label mask. */
export interface Batch {
  inputs: Record<string, tf.Tensor>;
  /** The same inputs on the host, for self-supervised heads that make their targets from them. */
  host: Record<string, HostTensor>;
  targets: Record<string, { y: tf.Tensor; mask: tf.Tensor1D }>;
}

export function gatherBatch(examples: Examples, indices: ArrayLike<number>, tasks: readonly Task[], scales: ReadonlyMap<string, TargetScale>): Batch {
  const part = take(examples, indices);
  const inputs = Object.fromEntries(
    Object.entries(part.inputs).map(([k, v]) => [k, tf.tensor(v.data instanceof Uint8Array ? Float32Array.from(v.data) : v.data, v.shape)]),
  );
  const targets = Object.fromEntries(
    tasks.filter((task) => !task.type.pretext).map((task) => {
      const column = part.targets[task.target]!;
      const scale = scales.get(task.name);
      const values = scale ? Float32Array.from(column.data, (v) => (v - scale.mean) / scale.std) : column.data;
      const mask = column.mask ? Float32Array.from(column.mask) : new Float32Array(part.size).fill(1);
      return [task.name, { y: tf.tensor(values, column.shape, scale ? 'float32' : 'int32'), mask: tf.tensor1d(mask) }];
    }),
  );
  return { inputs, host: part.inputs, targets };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose(Object.values(batch.inputs));
  for (const t of Object.values(batch.targets)) tf.dispose([t.y, t.mask]);
}

function countLabelled(column: TargetColumn | undefined): number {
  if (!column) return 0;
  if (!column.mask) return column.data.length;
  return column.mask.reduce((n, m) => n + (m ? 1 : 0), 0);
}

function targetScale(column: TargetColumn): TargetScale {
  let sum = 0;
  let sq = 0;
  let n = 0;
  column.data.forEach((v, i) => {
    if (column.mask && column.mask[Math.floor(i / (column.data.length / column.shape[0]!))] === 0) return;
    sum += v;
    sq += v * v;
    n += 1;
  });
  const mean = sum / Math.max(n, 1);
  const std = Math.sqrt(Math.max(sq / Math.max(n, 1) - mean * mean, 0)) || 1;
  return { mean, std };
}
