import { encodeRun, type CheckpointMeta } from '../checkpoint/checkpoint.js';
import type { FileStore } from '../env/environment.js';
import type { GraftModel } from '../model/graft-model.js';
import type { Callback, CallbackControl } from './callbacks.js';
import type { TrainCallbacks } from './types.js';

/**
 * Writes the run's checkpoint (atomically) after every epoch and when interrupted mid-epoch. It runs after
 * early stopping and the config's callbacks, so the state it stores includes what they decided this epoch.
 */
export function checkpointCallback(store: FileStore, path: string, model: GraftModel, meta: Pick<CheckpointMeta, 'configHash' | 'config' | 'configDir'>): Callback & { saved: boolean } {
  const save = async (control: CallbackControl) => {
    await store.write(path, await encodeRun(model, control.snapshot(), meta));
    cb.saved = true;
  };
  const cb = { name: 'checkpoint', saved: false, epochEnd: (_: unknown, c: CallbackControl) => save(c), interrupted: (_: unknown, c: CallbackControl) => save(c) };
  return cb;
}

/**
 * metrics.jsonl: one `epoch` line per epoch, a `final` line at the end. On resume it restarts from the
 * checkpoint's history, so after a crash no epoch line is there twice and none is missing.
 */
export function metricsLogCallback(files: FileStore, path: string): Callback {
  return {
    name: 'metrics-log',
    async trainBegin({ history }) {
      await files.write(path, history.map((h) => `${JSON.stringify({ type: 'epoch', ...h })}\n`).join(''));
    },
    async epochEnd({ entry }) {
      await files.append(path, `${JSON.stringify({ type: 'epoch', ...entry })}\n`);
    },
    async trainEnd({ result }) {
      await files.append(path, `${JSON.stringify({ type: 'final', ...result.final })}\n`);
    },
  };
}

/** Interrupts at the next step boundary once `signal` is aborted (SIGINT, SIGTERM in the CLI). */
export function stopSignalCallback(signal: AbortSignal): Callback {
  return { name: 'stop-signal', stepEnd: (_, control) => void (signal.aborted && control.interrupt()) };
}

/** The API's progress listeners as the last callback. */
export function listenerCallback(listeners: TrainCallbacks): Callback {
  return {
    name: 'listener',
    stepEnd: (p) => listeners.onStep?.(p),
    epochEnd: ({ entry }, control) => listeners.onEpochEnd?.(entry, () => control.snapshot()),
  };
}
