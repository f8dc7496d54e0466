import { GraftError } from '../errors.js';
import { sha256Hex } from '../sha256.js';

/**
 * A Graft checkpoint is one file: a magic line, a little-endian u32 header length, a JSON header
 * (metadata, tensor table, sha256 of the payload), then the tensor payload. Encoding and decoding are
 * pure, so Node (which writes the bytes atomically) and a browser (which offers them as a download)
 * read and write the same format.
 */
const MAGIC = 'GRAFT-CHECKPOINT v1\n';
export const CHECKPOINT_FORMAT_VERSION = 1;

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
  sha256: string;
}

/** The bytes of a checkpoint holding `meta` and `tensors`. */
export function encodeCheckpoint<M>(meta: M, tensors: ReadonlyMap<string, StoredTensor>): Uint8Array {
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
  const header: Header<M> = { format: CHECKPOINT_FORMAT_VERSION, meta, tensors: entries, payloadBytes: offset, sha256: sha256Hex(payload) };
  const magic = new TextEncoder().encode(MAGIC);
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(magic.length + 4 + headerBytes.length + payload.length);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(magic.length, headerBytes.length, true);
  out.set(headerBytes, magic.length + 4);
  out.set(payload, magic.length + 4 + headerBytes.length);
  return out;
}

/** Read and verify a checkpoint's bytes: magic, header, payload length and checksum. `where` names it in messages. */
export function decodeCheckpoint<M>(bytes: Uint8Array, where: string): { meta: M; tensors: Map<string, StoredTensor> } {
  const corrupt = (why: string) =>
    new GraftError('GRAFT_CHECKPOINT_CORRUPT', {
      what: `${where} is not a usable Graft checkpoint`,
      why,
      fix: 'It was left unchanged. Resume from an earlier checkpoint, or start the run again without --resume',
    });
  const text = new TextDecoder();
  if (text.decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw corrupt('It does not start with the Graft checkpoint signature (a foreign or damaged file).');
  if (bytes.length < MAGIC.length + 4) throw corrupt('It is truncated before its header.');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const headerStart = MAGIC.length + 4;
  if (headerStart + headerLength > bytes.length) throw corrupt('It is truncated inside its header.');
  let header: Header<M>;
  try {
    header = JSON.parse(text.decode(bytes.subarray(headerStart, headerStart + headerLength))) as Header<M>;
  } catch {
    throw corrupt('Its header is not valid JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw corrupt('Its header is not a JSON object.');
  if (header.format !== CHECKPOINT_FORMAT_VERSION) throw corrupt(`It has format ${header.format}; this Graft reads format ${CHECKPOINT_FORMAT_VERSION}.`);
  const payload = bytes.subarray(headerStart + headerLength);
  if (payload.length !== header.payloadBytes) throw corrupt(`Its payload has ${payload.length} bytes where the header promises ${header.payloadBytes} (truncated).`);
  if (sha256Hex(payload) !== header.sha256) throw corrupt('Its payload does not match its checksum.');
  const problem = tensorTableProblem(header.tensors, payload.length);
  if (problem) throw corrupt(problem);
  const tensors = new Map<string, StoredTensor>();
  for (const e of header.tensors) {
    const slice = payload.buffer.slice(payload.byteOffset + e.offset, payload.byteOffset + e.offset + e.length);
    tensors.set(e.name, { shape: e.shape, dtype: e.dtype, data: e.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice) });
  }
  return { meta: header.meta, tensors };
}

/** Why the tensor table cannot describe the payload, or undefined when every entry fits it. */
function tensorTableProblem(tensors: unknown, payloadBytes: number): string | undefined {
  if (!Array.isArray(tensors)) return 'Its header has no tensor table.';
  for (const [i, e] of (tensors as Partial<TensorEntry>[]).entries()) {
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string') return `Tensor entry ${i} has no name.`;
    if (e.dtype !== 'float32' && e.dtype !== 'int32') return `Tensor "${e.name}" has dtype ${JSON.stringify(e.dtype)}, not float32 or int32.`;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `Tensor "${e.name}" has an invalid shape.`;
    const { offset, length } = e;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset! < 0 || length! < 0 || offset! + length! > payloadBytes) {
      return `Tensor "${e.name}" spans bytes outside the ${payloadBytes}-byte payload.`;
    }
    if (length !== e.shape.reduce((a: number, b: number) => a * b, 1) * 4) return `Tensor "${e.name}" has ${length} bytes, which its shape [${e.shape.join(', ')}] does not fit.`;
  }
  return undefined;
}
