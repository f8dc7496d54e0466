import type { FileStore } from '@graft/core';
import type { TrainReport } from './train.js';

/** What the page shows of a saved run (its `run.json`). */
export interface SavedRun {
  id: string;
  /** When it finished, milliseconds since the epoch. */
  finished: number;
  strategy: string;
  backend: string;
  epochs: number;
  inputSize: number;
  accuracy: number;
  classes: string[];
}

const RUNS = '/runs';
export const CHECKPOINT_FILE = 'checkpoint.graft';
export const TFJS_FILE = 'tfjs-model.zip';

/**
 * Keep a finished run (its record, the Graft checkpoint and the tfjs model) in the store, the record last:
 * a run is listed only once all its files are there.
 */
export async function saveRun(store: FileStore, report: TrainReport, settings: { strategy: string; epochs: number; inputSize: number }, finished = Date.now()): Promise<SavedRun> {
  const id = `${new Date(finished).toISOString().replace(/[:.]/g, '-')}-${report.backend}`;
  const run: SavedRun = { id, finished, strategy: settings.strategy, backend: report.backend, epochs: settings.epochs, inputSize: settings.inputSize, accuracy: report.accuracy, classes: report.classes };
  await store.write(`${RUNS}/${id}/${CHECKPOINT_FILE}`, report.checkpoint);
  await store.write(`${RUNS}/${id}/${TFJS_FILE}`, report.tfjsModel);
  await store.write(`${RUNS}/${id}/run.json`, JSON.stringify(run));
  return run;
}

/** The saved runs, newest first; a folder without its record (a save cut short) is left out. */
export async function savedRuns(store: FileStore): Promise<SavedRun[]> {
  const runs: SavedRun[] = [];
  for (const id of await store.list(RUNS)) {
    const record = await store.read(`${RUNS}/${id}/run.json`);
    if (record) runs.push(JSON.parse(new TextDecoder().decode(record)) as SavedRun);
  }
  return runs.sort((a, b) => b.finished - a.finished);
}

export async function savedFile(store: FileStore, id: string, file: string): Promise<Uint8Array | undefined> {
  return store.read(`${RUNS}/${id}/${file}`);
}

export async function deleteRun(store: FileStore, id: string): Promise<void> {
  // The record first: a deletion cut short leaves no listed run without its files.
  await store.remove(`${RUNS}/${id}/run.json`);
  await store.remove(`${RUNS}/${id}`);
}
