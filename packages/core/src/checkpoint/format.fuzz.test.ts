import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../errors.js';
import { readCheckpointFile, writeCheckpointFile } from './format.js';

function graftErrorOrResult(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isGraftError(e)) return true;
    throw e;
  }
}

const FUZZ = { numRuns: 600, interruptAfterTimeLimit: 8000 };
const MAGIC = 'GRAFT-CHECKPOINT v1\n';
const dir = mkdtempSync(join(tmpdir(), 'graft-ckpt-fuzz-'));
const file = join(dir, 'fuzz.graft');

/** A checkpoint with `header` (payload size and checksum made to match) and `payload`. */
function assemble(header: Record<string, unknown>, payload: Uint8Array): Buffer {
  const full = { format: 1, payloadBytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex'), ...header };
  const json = Buffer.from(JSON.stringify(full));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([Buffer.from(MAGIC), length, json, payload]);
}

const entry = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()),
    shape: fc.oneof(fc.array(fc.oneof(fc.nat(4), fc.integer({ min: -2, max: 2 ** 33 })), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    dtype: fc.constantFrom('float32', 'int32', 'float64', 7),
    offset: fc.oneof(fc.nat(40), fc.integer({ min: -8, max: 2 ** 40 }), fc.double(), fc.string({ maxLength: 2 })),
    length: fc.oneof(fc.nat(40), fc.integer({ min: -8, max: 2 ** 40 }), fc.double()),
  },
  { requiredKeys: [] },
);

describe('readCheckpointFile under fuzzing', () => {
  it('random bytes after the signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, magic) => {
        writeFileSync(file, magic ? Buffer.concat([Buffer.from(MAGIC), bytes]) : bytes);
        return graftErrorOrResult(() => readCheckpointFile(file));
      }),
      FUZZ,
    );
  });

  it('headers with a matching checksum but hostile tensor tables and fields', () => {
    const header = fc.record(
      {
        format: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 0 })),
        meta: fc.jsonValue({ maxDepth: 2 }),
        tensors: fc.oneof(fc.array(entry, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 48 }), (h, payload) => {
        writeFileSync(file, assemble(h, payload));
        return graftErrorOrResult(() => {
          const { tensors } = readCheckpointFile(file);
          for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        });
      }),
      FUZZ,
    );
  });

  it('a header that is JSON but not an object', () => {
    for (const json of ['null', '1', '"x"', '[]', 'true']) {
      const body = Buffer.from(json);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(body.length);
      writeFileSync(file, Buffer.concat([Buffer.from(MAGIC), length, body]));
      expect(graftErrorOrResult(() => readCheckpointFile(file))).toBe(true);
    }
  });

  it('a directory where the file should be', () => {
    expect(() => readCheckpointFile(dir)).toThrow(/GRAFT_CHECKPOINT_NOT_FOUND: .* is a directory, not a checkpoint file/);
  });

  it('still reads what it wrote', () => {
    writeCheckpointFile(file, { a: 1 }, new Map([['w', { shape: [2], dtype: 'float32' as const, data: new Float32Array([1, 2]) }]]));
    expect(Array.from(readCheckpointFile(file).tensors.get('w')!.data)).toEqual([1, 2]);
  });
});
