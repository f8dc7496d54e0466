import fc from 'fast-check';
import { isGraftError } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';

/** Any input gives a GraftError or a valid result: never another exception. */
function graftErrorOrResult(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isGraftError(e)) return true;
    throw e;
  }
}

const FUZZ = { numRuns: 2000, interruptAfterTimeLimit: 8000 };

/** A file with a JSON header from `header` and `data` bytes after it. */
function file(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const dtype = fc.constantFrom('F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'F8', '', 'f32');
const dim = fc.oneof(fc.nat(8), fc.integer({ min: -3, max: 2 ** 40 }), fc.double());
const offset = fc.oneof(fc.nat(64), fc.integer({ min: -8, max: 2 ** 53 }), fc.constant(Number.MAX_SAFE_INTEGER + 2));
const entry = fc.record({ dtype, shape: fc.array(dim, { maxLength: 4 }), data_offsets: fc.array(offset, { minLength: 0, maxLength: 3 }) }, { requiredKeys: [] });

describe('parseSafetensors under fuzzing', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => graftErrorOrResult(() => parseSafetensors(bytes, 'fuzz'))), FUZZ);
  });

  it('random headers over random data, including header lengths up to 2^64', () => {
    const header = fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__metadata__')), fc.oneof(entry, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 6 });
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 96 }), fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), (h, data, length) => {
        const bytes = file(h, data);
        if (length !== null) new DataView(bytes.buffer).setBigUint64(0, length, true);
        return graftErrorOrResult(() => parseSafetensors(bytes, 'fuzz'));
      }),
      FUZZ,
    );
  });

  it('single-byte corruptions of a valid file', () => {
    const valid = serializeSafetensors({ a: { shape: [2, 3], data: new Float32Array(6).fill(1.5) }, b: { shape: [4], data: new Int32Array([1, 2, 3, 4]) } }, { k: 'v' });
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length), (at, value, cut) => {
        const bytes = valid.slice(0, Math.max(cut, at + 1));
        bytes[at] = value;
        return graftErrorOrResult(() => {
          const { tensors } = parseSafetensors(bytes, 'fuzz');
          for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((x, y) => x * y, 1));
        });
      }),
      FUZZ,
    );
  });
});
