import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GraftError } from '../errors.js';
import { checkpointNotFound } from './not-found.js';
import { decodeCheckpoint, encodeCheckpointParts, type StoredTensor } from './codec.js';

export { CHECKPOINT_FORMAT_VERSION, type StoredTensor } from './codec.js';

/** Write tensors and metadata atomically: to `path.tmp-<pid>`, fsync, then rename over `path`. */
export function writeCheckpointFile<M>(path: string, meta: M, tensors: ReadonlyMap<string, StoredTensor>): void {
  const parts = encodeCheckpointParts(meta, tensors);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of parts) writeSync(fd, part);
    fsyncSync(fd);
  } catch (cause) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw cause;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Read and verify a checkpoint file: magic, checksum, header and tensor table. */
export function readCheckpointFile<M>(path: string): { meta: M; tensors: Map<string, StoredTensor> } {
  return decodeCheckpoint<M>(readCheckpointBytes(path), path);
}

/** A checkpoint file's bytes, unverified; GRAFT_CHECKPOINT_NOT_FOUND when there is none. */
export function readCheckpointBytes(path: string): Uint8Array {
  if (!existsSync(path)) throw checkpointNotFound(path);
  if (!statSync(path).isFile()) {
    throw new GraftError('GRAFT_CHECKPOINT_NOT_FOUND', { what: `${path} is a directory, not a checkpoint file`, fix: 'Pass the checkpoint file itself (runs/<name>/checkpoint.graft)' });
  }
  return readFileSync(path);
}
