import { GraftError } from '../errors.js';

/** The error for a checkpoint path with nothing there. */
export function checkpointNotFound(path: string): GraftError {
  return new GraftError('GRAFT_CHECKPOINT_NOT_FOUND', { what: `No checkpoint at ${path}`, fix: 'Train first (graft train -c FILE), or pass the path of an existing checkpoint' });
}
