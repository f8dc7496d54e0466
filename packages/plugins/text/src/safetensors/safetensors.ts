import { GraftError } from '@graft/core';

/** Element types of the safetensors format (https://github.com/huggingface/safetensors). */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** One tensor read from a safetensors file, converted to a type tfjs can hold. */
export interface LoadedTensor {
  /** The dtype stored in the file. */
  dtype: SafetensorsDtype;
  shape: number[];
  /** Floats become `Float32Array`; integers and booleans become `Int32Array`. */
  data: Float32Array | Int32Array;
}

/** A tensor to write. `Float32Array` is stored as F32, `Int32Array` as I32. */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * The safetensors spec caps the header at 100 MB; anything larger is a corrupt or hostile file, and
 * refusing it early avoids allocating a buffer from an attacker-chosen length.
 */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/**
 * Parse a safetensors file held in memory. Validates the header length, every tensor's dtype, shape and
 * offsets, and that tensors neither overlap nor leave holes (the format requires a dense byte buffer).
 * `where` names the file in error messages.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  where: string,
): { tensors: Map<string, LoadedTensor>; metadata: Record<string, string> } {
  const fail = (why: string): never => {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Invalid safetensors file`,
      where,
      why,
      fix: 'Re-download or re-export the weights; the file is truncated or not a safetensors file.',
    });
  };
  if (bytes.byteLength < 8) fail(`The file has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.byteLength - 8) || headerLength > BigInt(MAX_HEADER_BYTES)) {
    fail(`The header length ${headerLength} is out of range (the file has ${bytes.byteLength - 8} bytes after it)`);
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (cause) {
    fail(`The header is not valid UTF-8 JSON (${(cause as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('The header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, LoadedTensor>();
  let metadata: Record<string, string> = {};
  // Every entry is checked, and the spans checked against each other, before any tensor is decoded: a
  // crafted header listing one span many times must not allocate once per listing.
  const spans: Array<{ name: string; begin: number; end: number; dtype: SafetensorsDtype; shape: number[] }> = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, fail);
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`Tensor "${name}" has no description`);
    const dtype = e.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      fail(`Tensor "${name}" has unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`Tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const shape = e.shape as number[];
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`Tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const bytesPer = DTYPE_BYTES[dtype];
    const expected = shape.reduce((a, b) => a * b, 1) * bytesPer;
    if (end < begin || end > dataLength) {
      fail(`Tensor "${name}" has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data buffer`);
    }
    if (end - begin !== expected) {
      fail(`Tensor "${name}" spans ${end - begin} bytes but its shape [${shape.join(', ')}] of ${dtype} needs ${expected}`);
    }
    if (begin % bytesPer !== 0) fail(`Tensor "${name}" starts at byte ${begin}, not a multiple of its ${bytesPer}-byte ${dtype} elements`);
    spans.push({ name, begin, end, dtype, shape });
  }
  let cursor = 0;
  for (const s of [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (s.begin < cursor) fail(`Tensor "${s.name}" overlaps the tensor before it (it starts at byte ${s.begin}, before ${cursor})`);
    if (s.begin > cursor) fail(`Bytes ${cursor}..${s.begin} of the data buffer belong to no tensor`);
    cursor = s.end;
  }
  if (cursor !== dataLength) fail(`The data buffer has ${dataLength} bytes but the tensors cover ${cursor}`);
  for (const s of spans) tensors.set(s.name, { dtype: s.dtype, shape: s.shape, data: decode(bytes, dataStart + s.begin, s.end - s.begin, s.dtype) });
  return { tensors, metadata };
}

function parseMetadata(entry: unknown, fail: (why: string) => never): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
    out[k] = v as string;
  }
  return out;
}

/** Copies rather than views: offsets need not be aligned in the file, and the source buffer may be freed. */
function decode(bytes: Uint8Array, offset: number, length: number, dtype: SafetensorsDtype): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  const count = length / DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    case 'I8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    }
    case 'U8':
    case 'BOOL': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      return out;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Serialise tensors to the safetensors format: names sorted, data packed densely in that order, the
 * header padded with spaces so the data starts 8-byte aligned (as the reference implementation does).
 */
export function serializeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', {
        what: `Tensor "${name}" has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${count}`,
      });
    }
    const size = t.data.length * 4;
    header[name] = { dtype: t.data instanceof Float32Array ? 'F32' : 'I32', shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const pad = (8 - (headerBytes.byteLength % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.byteLength;
  for (const name of names) {
    const t = tensors[name]!;
    for (let i = 0; i < t.data.length; i++) {
      if (t.data instanceof Float32Array) view.setFloat32(cursor + i * 4, t.data[i]!, true);
      else view.setInt32(cursor + i * 4, t.data[i]!, true);
    }
    cursor += t.data.length * 4;
  }
  return out;
}
