import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import { readSafetensors, writeSafetensors } from './read-write.js';
import { nodeFileStore } from '@graft/core';
import { localModelFolder } from '../hf/node-access.js';

/** A file assembled by hand from the format description, independent of the writer under test. */
function handMade(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (values: number[]) => [...new Uint8Array(new Float32Array(values).buffer)];

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code} | ${(e as Error).message}`;
  }
  throw new Error('expected an error');
}

describe('parseSafetensors', () => {
  it('reads F32, F16, BF16 and I64 tensors written by hand', () => {
    // F16 0x3c00 = 1, 0xc000 = -2; BF16 0x3f80 = 1, 0x4049 = 3.140625; I64 7 and -1.
    const data = [...f32([1.5, -2.25]), 0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f, 0x49, 0x40, 7, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255];
    const bytes = handMade(
      {
        __metadata__: { format: 'pt' },
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
        b: { dtype: 'BF16', shape: [1, 2], data_offsets: [12, 16] },
        i: { dtype: 'I64', shape: [2], data_offsets: [16, 32] },
      },
      data,
    );
    const { tensors, metadata } = parseSafetensors(bytes, 'x');
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.get('a')!.data]).toEqual([1.5, -2.25]);
    expect([...tensors.get('h')!.data]).toEqual([1, -2]);
    expect(tensors.get('b')!.shape).toEqual([1, 2]);
    expect([...tensors.get('b')!.data]).toEqual([1, 3.140625]);
    expect([...tensors.get('i')!.data]).toEqual([7, -1]);
  });

  it('round-trips through the writer with an 8-byte aligned data start', () => {
    const bytes = serializeSafetensors({
      'z.weight': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      'a.ids': { shape: [3], data: Int32Array.from([-1, 0, 9]) },
    });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const { tensors } = parseSafetensors(bytes, 'x');
    expect(tensors.get('z.weight')).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    expect(tensors.get('a.ids')).toEqual({ dtype: 'I32', shape: [3], data: Int32Array.from([-1, 0, 9]) });
  });

  it('rejects a header length past the end of the file', () => {
    const bytes = handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1]));
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    expect(errorOf(() => parseSafetensors(bytes, 'm.safetensors'))).toMatchInlineSnapshot(
      `"GRAFT_MODEL_LOAD | GRAFT_MODEL_LOAD: Invalid safetensors file at m.safetensors. The header length 1099511627776 is out of range (the file has 58 bytes after it). Re-download or re-export the weights; the file is truncated or not a safetensors file."`,
    );
  });

  it('rejects offsets outside the data buffer', () => {
    const bytes = handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1]));
    expect(errorOf(() => parseSafetensors(bytes, 'm'))).toContain('Tensor "a" has data_offsets [0, 8] outside the 4-byte data buffer');
  });

  it('rejects overlapping tensors', () => {
    const bytes = handMade(
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      f32([1, 2, 3]),
    );
    expect(errorOf(() => parseSafetensors(bytes, 'm'))).toContain('Tensor "b" overlaps the tensor before it');
  });

  it('rejects misaligned tensors, holes and size mismatches', () => {
    const misaligned = handMade(
      { a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } },
      [1, 2, ...f32([1])],
    );
    expect(errorOf(() => parseSafetensors(misaligned, 'm'))).toContain('Tensor "b" starts at byte 2, not a multiple of its 4-byte F32 elements');
    const hole = handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([0, 1]));
    expect(errorOf(() => parseSafetensors(hole, 'm'))).toContain('Bytes 0..4 of the data buffer belong to no tensor');
    const size = handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([0, 1]));
    expect(errorOf(() => parseSafetensors(size, 'm'))).toContain('spans 8 bytes but its shape [3] of F32 needs 12');
    const dtype = handMade({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, f32([0, 1]));
    expect(errorOf(() => parseSafetensors(dtype, 'm'))).toContain('unsupported dtype "C64"');
    expect(errorOf(() => parseSafetensors(new Uint8Array(5), 'm'))).toContain('fewer than the 8-byte header length');
  });
});

describe('readSafetensors / writeSafetensors', () => {
  it('writes atomically and reads back from a model directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-st-'));
    await writeSafetensors(nodeFileStore(), join(dir, 'model.safetensors'), { w: { shape: [2], data: Float32Array.from([3, 4]) } });
    const tensors = await readSafetensors(localModelFolder(dir));
    expect([...tensors.get('w')!.data]).toEqual([3, 4]);
  });

  it('names the missing file and refuses links that leave the model directory', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'graft-outside-'));
    writeFileSync(join(outside, 'secret.safetensors'), serializeSafetensors({ w: { shape: [1], data: Float32Array.from([1]) } }));
    const dir = mkdtempSync(join(tmpdir(), 'graft-st-'));
    await expect(readSafetensors(localModelFolder(dir))).rejects.toThrow(/GRAFT_MODEL_LOAD: The model directory is missing model\.safetensors/);
    await expect(readSafetensors(localModelFolder(dir), '../secret.safetensors')).rejects.toThrow(/points outside the model directory/);
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(outside, 'secret.safetensors'), join(dir, 'model.safetensors'));
    await expect(readSafetensors(localModelFolder(dir))).rejects.toThrow(/is a link to a file outside the model directory/);
  });
});

describe('parseSafetensors on hostile headers', () => {
  it('refuses overlapping spans before decoding any tensor (no allocation per listed tensor)', () => {
    // 1000 tensors that all claim the same 1 MiB: decoding first would allocate 1 GiB before the overlap check.
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) header[`t${i}`] = { dtype: 'F32', shape: [262144], data_offsets: [0, 1048576] };
    const bytes = handMade(header, []);
    const file = new Uint8Array(bytes.length + 1048576);
    file.set(bytes);
    const before = process.memoryUsage().arrayBuffers;
    const start = performance.now();
    expect(errorOf(() => parseSafetensors(file, 'hostile.safetensors'))).toMatch(/^GRAFT_MODEL_LOAD \| .*overlaps/s);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
