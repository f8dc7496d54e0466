import * as tf from '@tensorflow/tfjs';
import { GraftError } from '../errors.js';
import type { GraftModel } from '../model/graft-model.js';
import type { SlotState } from '../train/optimizer.js';
import type { HistoryEntry, TrainerSnapshot } from '../train/types.js';
import type { WeightingMethod } from '../weighting.js';

/** What a restored state is put into (the trainer): named here so the checkpoint does not import the loop. */
export interface RestoreTarget {
  readonly model: GraftModel;
  readonly weightingMethod: WeightingMethod | undefined;
  restoreInternals(opt: Record<string, SlotState> | undefined, rngState: number, weightingState: unknown, trunkRng?: number): void;
  restoreEarlyStopping(best: { value: number; epoch: number } | null, weights?: tf.Tensor[]): void;
}
import { decodeCheckpoint, encodeCheckpoint, type StoredTensor } from './codec.js';

/** What a checkpoint's header holds besides tensors. */
export interface CheckpointMeta {
  /** sha256 of the config: `--resume` refuses a checkpoint of another config. */
  configHash: string;
  /** The config as written, so `graft eval` and `graft predict` can rebuild the model. */
  config: unknown;
  /** Directory of the config it came from (relative paths in it resolve there). */
  configDir: string;
  /** Last completed epoch, and whether it ended its stage. */
  position: { stage: number; epoch: number; stageDone: boolean };
  /** Set when the run stopped mid-epoch (SIGINT/SIGTERM): steps done of the next epoch and its sums so far. */
  partial?: TrainerSnapshot['partial'];
  rng: number;
  /** State of the trunk's own random stream (dropout masks), when it has one. */
  trunkRng?: number;
  history: HistoryEntry[];
  optimizer: Record<string, { steps: number; slots: string[] }>;
  weighting: unknown;
  groups: { trainable: boolean; lrMultiplier: number }[];
  /** Early stopping's best epoch in the unfinished stage (its weights are stored as `best/<key>` tensors). */
  earlyStopping?: { value: number; epoch: number } | null;
  /** Feature sizes and head sizes, for a quick shape check before loading. */
  tasks: { name: string; headSize: number }[];
  savedAt: string;
}


/** The checkpoint bytes of a model and its training state (write them with an atomic store write). */
export async function encodeRun(model: GraftModel, snapshot: TrainerSnapshot, extra: Pick<CheckpointMeta, 'configHash' | 'config' | 'configDir'>): Promise<Uint8Array> {
  const tensors = new Map<string, StoredTensor>();
  const reads: Promise<void>[] = [];
  const put = (name: string, t: tf.Tensor) =>
    reads.push(t.data().then((data) => void tensors.set(name, { shape: t.shape, dtype: t.dtype === 'int32' ? 'int32' : 'float32', data: data as Float32Array | Int32Array })));
  for (const w of model.weights()) put(`w/${w.key}`, w.variable);
  const optimizer: CheckpointMeta['optimizer'] = {};
  for (const [key, s] of Object.entries(snapshot.optimizer)) {
    optimizer[key] = { steps: s.steps, slots: Object.keys(s.slots) };
    for (const [slot, t] of Object.entries(s.slots)) put(`opt/${key}/${slot}`, t);
  }
  for (const [name, v] of Object.entries(snapshot.weighting.variables)) put(`weighting/${name}`, v);
  if (snapshot.bestWeights) model.weights().forEach((w, i) => put(`best/${w.key}`, snapshot.bestWeights![i]!));
  await Promise.all(reads);
  for (const s of Object.values(snapshot.optimizer)) tf.dispose(Object.values(s.slots));
  const meta: CheckpointMeta = {
    ...extra,
    position: snapshot.position,
    partial: snapshot.partial,
    rng: snapshot.rng,
    trunkRng: snapshot.trunkRng,
    history: snapshot.history,
    optimizer,
    weighting: snapshot.weighting.state ?? null,
    groups: snapshot.groups,
    earlyStopping: snapshot.earlyStopping,
    tasks: model.tasks.map((t) => ({ name: t.name, headSize: t.headSize })),
    savedAt: new Date().toISOString(),
  };
  return encodeCheckpoint(meta, tensors);
}

/** A checkpoint read back: its metadata, and how to put it into a model and a trainer. */
export interface RunState {
  meta: CheckpointMeta;
  position: CheckpointMeta['position'];
  partial?: CheckpointMeta['partial'];
  history: HistoryEntry[];
  /** Put the weights into the trainer's model. */
  restoreWeights(trainer: RestoreTarget): void;
  /** Put weights, optimizer state, random stream and weighting state into a trainer mid-stage. */
  restoreInto(trainer: RestoreTarget): void;
}

/** A checkpoint's bytes read back as a run state; `path` names it in messages. */
export function decodeRun(bytes: Uint8Array, path: string): RunState {
  const { meta, tensors } = decodeCheckpoint<CheckpointMeta>(bytes, path);
  const restoreWeights = (trainer: RestoreTarget) => {
    loadWeights(trainer.model, tensors, path);
    const extra = trainer.weightingMethod?.kind === 'loss' ? trainer.weightingMethod.variables?.() ?? {} : {};
    for (const [name, v] of Object.entries(extra)) {
      const t = tensors.get(`weighting/${name}`);
      if (t) tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
    }
  };
  return {
    meta,
    position: meta.position,
    partial: meta.partial,
    history: meta.history,
    restoreWeights(trainer) {
      restoreWeights(trainer);
      trainer.restoreInternals(undefined, meta.rng, undefined, meta.trunkRng);
    },
    restoreInto(trainer) {
      restoreWeights(trainer);
      const opt: Record<string, SlotState> = {};
      for (const [key, s] of Object.entries(meta.optimizer)) {
        opt[key] = { steps: s.steps, slots: Object.fromEntries(s.slots.map((slot) => { const t = tensors.get(`opt/${key}/${slot}`)!; return [slot, tf.tensor(t.data, t.shape)]; })) };
      }
      trainer.restoreInternals(opt, meta.rng, meta.weighting ?? undefined, meta.trunkRng);
      trainer.model.groups.forEach((g, i) => Object.assign(g, meta.groups[i]));
      const best = meta.earlyStopping ?? null;
      const stored = trainer.model.weights().map((w) => tensors.get(`best/${w.key}`));
      const bestWeights = best && stored.every((t) => t) ? stored.map((t) => tf.tensor(t!.data, t!.shape)) : undefined;
      trainer.restoreEarlyStopping(best, bestWeights);
    },
  };
}

/** Copy a checkpoint's weights into a model, checking that every key and shape matches. */
export function loadWeights(model: GraftModel, tensors: ReadonlyMap<string, StoredTensor>, path: string): void {
  for (const w of model.weights()) {
    const t = tensors.get(`w/${w.key}`);
    if (!t || t.shape.join(',') !== w.variable.shape.join(',')) {
      throw new GraftError('GRAFT_CHECKPOINT_MISMATCH', {
        what: `${path} does not fit this model: weight "${w.key}" is ${t ? `[${t.shape}]` : 'missing'} in the checkpoint and [${w.variable.shape}] in the model`,
        fix: 'Use the config the checkpoint was trained with',
      });
    }
    tf.tidy(() => w.variable.assign(tf.tensor(t.data, t.shape, w.variable.dtype)));
  }
}
