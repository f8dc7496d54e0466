import type { FileStore } from '@graft/core';
import { describeError } from './errors.js';
import { CHECKPOINT_FILE, deleteRun, savedFile, savedRuns, TFJS_FILE } from './saved-runs.js';

/** Object URLs of the listed runs' downloads, revoked when the list is drawn again. */
let savedUrls: string[] = [];

/**
 * List the saved runs in `list`, newest first, each with its downloads and a delete button (which calls
 * `redraw` once the run is gone); `note` says why when the store cannot be read.
 */
export async function showSavedRuns(saved: FileStore, list: HTMLElement, note: HTMLElement, redraw: () => Promise<void>): Promise<void> {
  try {
    const runs = await savedRuns(saved);
    savedUrls.forEach((u) => URL.revokeObjectURL(u));
    savedUrls = [];
    const items: HTMLElement[] = [];
    for (const run of runs) {
      const li = document.createElement('li');
      li.className = 'saved-run';
      li.dataset.run = run.id;
      li.dataset.accuracy = String(run.accuracy);
      const when = new Date(run.finished).toLocaleString();
      li.append(`${when}: ${run.strategy} on ${run.backend}, ${run.epochs} epochs at ${run.inputSize}×${run.inputSize}, test accuracy ${(run.accuracy * 100).toFixed(1)}% (${run.classes.join(', ')}) `);
      for (const [file, label, type, cls, name] of [
        [CHECKPOINT_FILE, 'Graft checkpoint', 'application/octet-stream', 'download-checkpoint', 'studio.graft'],
        [TFJS_FILE, 'tfjs layers model', 'application/zip', 'download-tfjs', 'studio-tfjs.zip'],
      ] as const) {
        const bytes = await savedFile(saved, run.id, file);
        if (!bytes) continue;
        const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
        savedUrls.push(url);
        li.append(Object.assign(document.createElement('a'), { href: url, download: name, className: cls, textContent: label }), ' ');
      }
      const remove = Object.assign(document.createElement('button'), { textContent: 'Delete', className: 'delete-run' });
      remove.addEventListener('click', () => void deleteRun(saved, run.id).then(redraw, (error: unknown) => void (note.textContent = `The run was not deleted: ${describeError(error)}`)));
      li.append(remove);
      items.push(li);
    }
    list.replaceChildren(...items);
    list.dataset.count = String(runs.length);
  } catch (error) {
    note.textContent = `Runs cannot be kept across reloads here: ${describeError(error)}`;
  }
}
