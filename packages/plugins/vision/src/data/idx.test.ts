import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { parseIdx } from './idx.js';

function idx(type: number, shape: number[], body: number[], bytesPer: number, write: (v: DataView, at: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length * bytesPer);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  body.forEach((x, i) => write(v, 4 + 4 * shape.length + i * bytesPer, x));
  return out;
}

describe('parseIdx', () => {
  it('reads unsigned bytes, raw or gzip-compressed', () => {
    const bytes = idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255], 1, (v, at, x) => v.setUint8(at, x));
    for (const input of [bytes, new Uint8Array(gzipSync(bytes))]) {
      const { data, shape } = parseIdx(input, 'x.idx');
      expect(shape).toEqual([2, 2, 3]);
      expect(data).toBeInstanceOf(Uint8Array);
      expect(Array.from(data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    }
  });

  it('reads big-endian int32 and float32', () => {
    const ints = parseIdx(idx(0x0c, [3], [-2, 70000, 5], 4, (v, at, x) => v.setInt32(at, x)), 'i.idx');
    expect(Array.from(ints.data)).toEqual([-2, 70000, 5]);
    const floats = parseIdx(idx(0x0d, [2], [1.5, -0.25], 4, (v, at, x) => v.setFloat32(at, x)), 'f.idx');
    expect(Array.from(floats.data)).toEqual([1.5, -0.25]);
  });

  it('refuses a truncated file, a bad magic number and corrupt gzip, naming the file', () => {
    const bytes = idx(0x08, [10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1, (v, at, x) => v.setUint8(at, x));
    expect(() => parseIdx(bytes.subarray(0, 12), 'short.idx')).toThrow(
      'GRAFT_DATA_INVALID: Not a valid IDX file at short.idx. The header promises 10 values of 1 byte(s) (shape [10]), but the file holds 4 bytes of data.',
    );
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'm.idx')).toThrow('It does not start with the IDX magic number');
    expect(() => parseIdx(new Uint8Array(gzipSync(bytes)).subarray(0, 15), 'z.gz')).toThrow('The gzip-compressed file is corrupt or truncated at z.gz');
  });
});
