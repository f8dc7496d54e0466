import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GraftError } from '../errors.js';
import { faultPoint } from './fault.js';

/**
 * A Graft checkpoint is one file: a magic line, a little-endian u32 header length, a JSON header
 * (metadata, tensor table), the tensor payload, then the 32-byte sha256 of everything before it — so no byte of
 * the header (offsets, shapes, position) can change unnoticed. One file can be written to a temporary name and
 * renamed into place, so a crash never leaves a half-written checkpoint under the real name.
 */
const MAGIC = 'GRAFT-CHECKPOINT v2\n';
const OLD_MAGIC = 'GRAFT-CHECKPOINT v1\n';
const DIGEST_BYTES = 32;
export const CHECKPOINT_FORMAT_VERSION = 2;

export interface StoredTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

interface Header<M> {
  format: number;
  meta: M;
  tensors: TensorEntry[];
  payloadBytes: number;
}

/** Write tensors and metadata atomically: to `path.tmp-<pid>`, fsync, then rename over `path`. */
export function writeCheckpointFile<M>(path: string, meta: M, tensors: ReadonlyMap<string, StoredTensor>): void {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: t.shape, dtype: t.dtype, offset, length: t.data.byteLength });
    offset += t.data.byteLength;
  }
  const payload = Buffer.alloc(offset);
  for (const e of entries) {
    const t = tensors.get(e.name)!;
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(payload, e.offset);
  }
  const header: Header<M> = { format: CHECKPOINT_FORMAT_VERSION, meta, tensors: entries, payloadBytes: offset };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const parts = [Buffer.from(MAGIC, 'utf8'), length, headerBytes, payload];
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  parts.push(digest.digest());

  faultPoint('before-write');
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    parts.forEach((part, i) => {
      writeSync(fd, part);
      if (i === 2) faultPoint('mid-write');
    });
    fsyncSync(fd);
  } catch (cause) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw cause;
  }
  closeSync(fd);
  faultPoint('before-rename');
  renameSync(tmp, path);
  faultPoint('after-rename');
}

/** Read and verify a checkpoint file: magic, header, payload length and checksum. */
export function readCheckpointFile<M>(path: string): { meta: M; tensors: Map<string, StoredTensor> } {
  if (!existsSync(path)) {
    throw new GraftError('GRAFT_CHECKPOINT_NOT_FOUND', { what: `No checkpoint at ${path}`, fix: 'Train first (graft train -c FILE), or pass the path of an existing checkpoint' });
  }
  if (!statSync(path).isFile()) {
    throw new GraftError('GRAFT_CHECKPOINT_NOT_FOUND', { what: `${path} is a directory, not a checkpoint file`, fix: 'Pass the checkpoint file itself (runs/<name>/checkpoint.graft)' });
  }
  const bytes = readFileSync(path);
  const corrupt = (why: string) =>
    new GraftError('GRAFT_CHECKPOINT_CORRUPT', {
      what: `${path} is not a usable Graft checkpoint`,
      why,
      fix: 'It was left unchanged. Resume from an earlier checkpoint, or start the run again without --resume',
    });
  const signature = bytes.subarray(0, MAGIC.length).toString('utf8');
  if (signature === OLD_MAGIC) throw corrupt('It was written by an older Graft (checkpoint format 1, whose header had no checksum); this Graft reads format 2. Train the run again.');
  if (signature !== MAGIC) throw corrupt('It does not start with the Graft checkpoint signature (a foreign or damaged file).');
  if (bytes.length < MAGIC.length + 4 + DIGEST_BYTES) throw corrupt('It is truncated before its header.');
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - DIGEST_BYTES))) {
    throw corrupt('Its contents do not match its checksum (the file was truncated or edited).');
  }
  const headerLength = body.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  if (headerStart + headerLength > body.length) throw corrupt('It is truncated inside its header.');
  let header: Header<M>;
  try {
    header = JSON.parse(body.subarray(headerStart, headerStart + headerLength).toString('utf8')) as Header<M>;
  } catch {
    throw corrupt('Its header is not valid JSON.');
  }
  if (typeof header !== 'object' || header === null || header.format !== CHECKPOINT_FORMAT_VERSION) {
    throw corrupt(`It has format ${String((header as Partial<Header<M>> | null)?.format)}; this Graft reads format ${CHECKPOINT_FORMAT_VERSION}.`);
  }
  const payload = body.subarray(headerStart + headerLength);
  if (payload.length !== header.payloadBytes) throw corrupt(`Its payload has ${payload.length} bytes where the header promises ${header.payloadBytes} (truncated).`);
  if (!Array.isArray(header.tensors)) throw corrupt('Its header has no tensor table.');
  const tensors = new Map<string, StoredTensor>();
  for (const e of header.tensors) {
    const problem = entryProblem(e, payload.length);
    if (problem) throw corrupt(`Its tensor table is inconsistent: ${problem}.`);
    const slice = payload.buffer.slice(payload.byteOffset + e.offset, payload.byteOffset + e.offset + e.length);
    tensors.set(e.name, { shape: e.shape, dtype: e.dtype, data: e.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice) });
  }
  return { meta: header.meta, tensors };
}

/** Why a tensor table entry cannot be read from a payload of `payloadBytes`, or undefined when it can. */
function entryProblem(e: TensorEntry, payloadBytes: number): string | undefined {
  const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (typeof e !== 'object' || e === null || typeof e.name !== 'string') return 'an entry has no name';
  if (e.dtype !== 'float32' && e.dtype !== 'int32') return `tensor "${e.name}" has dtype ${String(e.dtype)}`;
  if (!Array.isArray(e.shape) || !e.shape.every(count)) return `tensor "${e.name}" has an invalid shape`;
  if (!count(e.offset) || !count(e.length) || e.offset + e.length > payloadBytes) return `tensor "${e.name}" lies outside the payload`;
  if (e.offset % 4 !== 0 || e.length !== e.shape.reduce((a, b) => a * b, 1) * 4) return `tensor "${e.name}" has ${e.length} bytes for shape [${e.shape.join(',')}]`;
  return undefined;
}
