import { GraftError } from '../errors.js';
import type { FileStore } from '../env/environment.js';

/** The file a run folder keeps its checkpoint in. */
export const CHECKPOINT_FILE = 'checkpoint.graft';

/** A run folder or a checkpoint file → the checkpoint file; a missing path is refused with the fix. */
export async function checkpointIn(files: FileStore, path: string): Promise<string> {
  const info = await files.stat(path);
  if (!info) {
    throw new GraftError('GRAFT_CHECKPOINT_NOT_FOUND', {
      what: `No run folder or checkpoint at ${path}`,
      fix: 'Train first (graft train -c FILE), or pass a run folder (runs/<name>) or its checkpoint.graft',
    });
  }
  if (info.kind === 'file') return path;
  const inside = files.resolve(path, CHECKPOINT_FILE);
  if ((await files.stat(inside))?.kind !== 'file') {
    throw new GraftError('GRAFT_CHECKPOINT_NOT_FOUND', {
      what: `The folder ${path} holds no ${CHECKPOINT_FILE}`,
      why: 'A run folder is the output directory of `graft train`; its checkpoint is written after every epoch.',
      fix: 'Pass the run folder a training run wrote (runs/<name>), or the path of a checkpoint file',
    });
  }
  return inside;
}
