import type { GraftModel } from '../model/graft-model.js';
import type { TrainerSnapshot } from '../train/trainer.js';
import { decodeRun, encodeRun, type CheckpointMeta, type RunState } from './checkpoint.js';
import { readCheckpointBytes } from './format.js';
import { nodeFileStore } from '../env/node/file-store.js';

/** Write model weights and training state atomically to a file (Node). */
export async function saveCheckpoint(path: string, model: GraftModel, snapshot: TrainerSnapshot, extra: Pick<CheckpointMeta, 'configHash' | 'config' | 'configDir'>): Promise<void> {
  await nodeFileStore().write(path, await encodeRun(model, snapshot, extra));
}

/** Read a checkpoint file back as a run state (Node). */
export function loadCheckpoint(path: string): RunState {
  return decodeRun(readCheckpointBytes(path), path);
}
