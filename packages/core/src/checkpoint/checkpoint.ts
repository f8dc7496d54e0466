import * as tf from '@tensorflow/tfjs';
import { GraftError } from '../errors.js';
import type { GraftModel } from '../model/graft-model.js';
import type { HistoryEntry, TrainerSnapshot } from '../train/types.js';

import { decodeCheckpoint, encodeCheckpoint, type StoredTensor } from './codec.js';

/** What a checkpoint's header holds besides tensors. */
export interface CheckpointMeta {
  /** sha256 of the config: `--resume` refuses a checkpoint of another config. */
  configHash: string;
  /** The config as written, so `graft eval` and `graft predict` can rebuild the model. */
  config: unknown;
  /** Directory of the config it came from (relative paths in it resolve there). */
  configDir: string;
  /** Last completed epoch, whether it ended its stage, and whether a callback ended training there. */
  position: TrainerSnapshot['position'];
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
  /** The state of each stateful callback, by name (see `Callback.state`). */
  callbacks?: Record<string, unknown>;
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
    ...(Object.keys(snapshot.callbacks).length > 0 ? { callbacks: snapshot.callbacks } : {}),
    tasks: model.tasks.map((t) => ({ name: t.name, headSize: t.headSize })),
    savedAt: new Date().toISOString(),
  };
  return encodeCheckpoint(meta, tensors);
}

/** A checkpoint read back: its metadata and its tensors, a plain value the trainer restores itself from. */
export interface RunState {
  meta: CheckpointMeta;
  position: CheckpointMeta['position'];
  partial?: CheckpointMeta['partial'];
  history: HistoryEntry[];
  /** Weights (`w/<key>`), optimizer slots (`opt/<key>/<slot>`), weighting variables (`weighting/<name>`), early stopping's best weights (`best/<key>`). */
  tensors: ReadonlyMap<string, StoredTensor>;
  /** Where it was read from, for messages. */
  path: string;
}

/** A checkpoint's bytes read back as a run state; `path` names it in messages. */
export function decodeRun(bytes: Uint8Array, path: string): RunState {
  const { meta, tensors } = decodeCheckpoint<CheckpointMeta>(bytes, path);
  return { meta, position: meta.position, partial: meta.partial, history: meta.history, tensors, path };
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
