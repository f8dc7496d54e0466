import { GraftError } from '../errors.js';
import { sha256Hex } from '../sha256.js';

/**
 * A Graft checkpoint is one file: a magic line, a little-endian u32 header length, a JSON header
 * (metadata, tensor table), the tensor payload, then the 32-byte sha256 of everything before it — so no byte of
 * the header (offsets, shapes, position) can change unnoticed. Encoding and decoding are pure, so Node (which
 * writes the bytes atomically) and a browser (which offers them as a download) read and write the same format.
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

/** The parts of a checkpoint holding `meta` and `tensors`, in file order; the last is the digest of the others. */
export function encodeCheckpointParts<M>(meta: M, tensors: ReadonlyMap<string, StoredTensor>): Uint8Array[] {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: t.shape, dtype: t.dtype, offset, length: t.data.byteLength });
    offset += t.data.byteLength;
  }
  const payload = new Uint8Array(offset);
  for (const e of entries) {
    const t = tensors.get(e.name)!;
    payload.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), e.offset);
  }
  const header: Header<M> = { format: CHECKPOINT_FORMAT_VERSION, meta, tensors: entries, payloadBytes: offset };
  const magic = new TextEncoder().encode(MAGIC);
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, headerBytes.length, true);
  const parts = [magic, length, headerBytes, payload];
  return [...parts, fromHex(sha256Hex(concat(parts)))];
}

/** The bytes of a checkpoint holding `meta` and `tensors`. */
export function encodeCheckpoint<M>(meta: M, tensors: ReadonlyMap<string, StoredTensor>): Uint8Array {
  return concat(encodeCheckpointParts(meta, tensors));
}

/** Read and verify a checkpoint's bytes: magic, checksum, header, tensor table. `where` names it in messages. */
export function decodeCheckpoint<M>(bytes: Uint8Array, where: string): { meta: M; tensors: Map<string, StoredTensor> } {
  const corrupt = (why: string) =>
    new GraftError('GRAFT_CHECKPOINT_CORRUPT', {
      what: `${where} is not a usable Graft checkpoint`,
      why,
      fix: 'It was left unchanged. Resume from an earlier checkpoint, or start the run again without --resume',
    });
  const text = new TextDecoder();
  const signature = text.decode(bytes.subarray(0, MAGIC.length));
  if (signature === OLD_MAGIC) throw corrupt('It was written by an older Graft (checkpoint format 1, whose header had no checksum); this Graft reads format 2. Train the run again.');
  if (signature !== MAGIC) throw corrupt('It does not start with the Graft checkpoint signature (a foreign or damaged file).');
  if (bytes.length < MAGIC.length + 4 + DIGEST_BYTES) throw corrupt('It is truncated before its header.');
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  if (sha256Hex(body) !== toHex(bytes.subarray(bytes.length - DIGEST_BYTES))) throw corrupt('Its contents do not match its checksum (the file was truncated or edited).');
  const headerLength = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(MAGIC.length, true);
  const headerStart = MAGIC.length + 4;
  if (headerStart + headerLength > body.length) throw corrupt('It is truncated inside its header.');
  let header: Header<M>;
  try {
    header = JSON.parse(text.decode(body.subarray(headerStart, headerStart + headerLength))) as Header<M>;
  } catch {
    throw corrupt('Its header is not valid JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw corrupt('Its header is not a JSON object.');
  if (header.format !== CHECKPOINT_FORMAT_VERSION) throw corrupt(`It has format ${String(header.format)}; this Graft reads format ${CHECKPOINT_FORMAT_VERSION}.`);
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

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}
