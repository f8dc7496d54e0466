import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { GraftError } from '@graft/core';

/** An array read from an IDX file (the MNIST format): its values and its dimensions. */
export interface IdxArray {
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  shape: number[];
}

const TYPES: Record<number, { bytes: number; read: (v: DataView, at: number) => number; make: (n: number) => IdxArray['data'] }> = {
  0x08: { bytes: 1, read: (v, at) => v.getUint8(at), make: (n) => new Uint8Array(n) },
  0x09: { bytes: 1, read: (v, at) => v.getInt8(at), make: (n) => new Int8Array(n) },
  0x0b: { bytes: 2, read: (v, at) => v.getInt16(at), make: (n) => new Int16Array(n) },
  0x0c: { bytes: 4, read: (v, at) => v.getInt32(at), make: (n) => new Int32Array(n) },
  0x0d: { bytes: 4, read: (v, at) => v.getFloat32(at), make: (n) => new Float32Array(n) },
  0x0e: { bytes: 8, read: (v, at) => v.getFloat64(at), make: (n) => new Float64Array(n) },
};

/**
 * Parse IDX bytes (gzip-compressed or raw): two zero bytes, a type code, the number of dimensions, the
 * dimensions as big-endian uint32, then the values, big-endian (LeCun et al., MNIST file format).
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes, file) : bytes;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const bad = (why: string) => new GraftError('GRAFT_DATA_INVALID', { what: 'Not a valid IDX file', where: file, why });
  if (raw.byteLength < 4 || raw[0] !== 0 || raw[1] !== 0) throw bad('It does not start with the IDX magic number');
  const type = TYPES[raw[2]!];
  if (!type) throw bad(`Unknown IDX type code 0x${raw[2]!.toString(16)}`);
  const ndims = raw[3]!;
  const headerBytes = 4 + 4 * ndims;
  if (raw.byteLength < headerBytes) throw bad('The header is truncated');
  const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== headerBytes + count * type.bytes) {
    throw bad(`The header promises ${count} values of ${type.bytes} byte(s) (shape [${shape.join(', ')}]), but the file holds ${raw.byteLength - headerBytes} bytes of data`);
  }
  if (type.bytes === 1 && raw[2] === 0x08) return { data: raw.slice(headerBytes, headerBytes + count), shape };
  const data = type.make(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, headerBytes + i * type.bytes);
  return { data, shape };
}

/** Read and parse an IDX file. */
export async function readIdx(file: string): Promise<IdxArray> {
  return parseIdx(new Uint8Array(await readFile(file)), file);
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (cause) {
    throw new GraftError('GRAFT_DATA_INVALID', { what: 'The gzip-compressed file is corrupt or truncated', where: file, cause, fix: 'Fetch the file again' });
  }
}
