import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../errors.js';
import { readCheckpointFile, writeCheckpointFile, type StoredTensor } from './format.js';

function sample(dir: string): string {
  const path = join(dir, 'checkpoint.graft');
  const tensors = new Map<string, StoredTensor>([
    ['w/a', { shape: [2, 3], dtype: 'float32', data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
    ['w/b', { shape: [4], dtype: 'int32', data: new Int32Array([7, 8, 9, 10]) }],
  ]);
  writeCheckpointFile(path, { position: { stage: 1, epoch: 12, stageDone: false }, configHash: 'abc123' }, tensors);
  return path;
}

function corruptCode(path: string): string | undefined {
  try {
    readCheckpointFile(path);
    return undefined;
  } catch (error) {
    if (!isGraftError(error)) throw error; // a stack trace, not a Graft error: the test fails
    return error.code;
  }
}

describe('checkpoint file format', () => {
  it('reads back what it wrote', () => {
    const path = sample(mkdtempSync(join(tmpdir(), 'graft-fmt-')));
    const { meta, tensors } = readCheckpointFile<{ position: unknown }>(path);
    expect(meta.position).toEqual({ stage: 1, epoch: 12, stageDone: false });
    expect(Array.from(tensors.get('w/a')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(tensors.get('w/b')!.data)).toEqual([7, 8, 9, 10]);
  });

  it('covers the header by the checksum: any edit of a digit or letter in it is refused as GRAFT_CHECKPOINT_CORRUPT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-fmt-'));
    const original = readFileSync(sample(dir));
    const headerLength = original.readUInt32LE('GRAFT-CHECKPOINT v2\n'.length);
    const headerStart = 'GRAFT-CHECKPOINT v2\n'.length + 4;
    const header = original.subarray(headerStart, headerStart + headerLength).toString('utf8');
    expect(header).toContain('"offset":24'); // the second tensor's offset, an edit the old format missed
    const path = join(dir, 'edited.graft');
    let edits = 0;
    for (let i = 0; i < headerLength; i++) {
      const c = String.fromCharCode(original[headerStart + i]!);
      const replacement = /[0-8]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : /[a-y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : undefined;
      if (!replacement) continue;
      const copy = Buffer.from(original);
      copy[headerStart + i] = replacement.charCodeAt(0);
      writeFileSync(path, copy);
      expect(corruptCode(path), `edit at header byte ${i} (${c} → ${replacement})`).toBe('GRAFT_CHECKPOINT_CORRUPT');
      edits += 1;
    }
    expect(edits).toBeGreaterThan(50);
  });

  it('refuses a truncated file, a changed payload byte, a foreign file and a format-1 file, never with a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-fmt-'));
    const original = readFileSync(sample(dir));
    const path = join(dir, 'edited.graft');
    const variants: Buffer[] = [
      original.subarray(0, original.length - 1),
      original.subarray(0, 10),
      Buffer.concat([original, Buffer.from([0])]),
      Buffer.from('not a checkpoint'),
      Buffer.concat([Buffer.from('GRAFT-CHECKPOINT v1\n'), original.subarray(20)]),
    ];
    const flipped = Buffer.from(original);
    flipped[original.length - 40] = flipped[original.length - 40]! ^ 1;
    variants.push(flipped);
    for (const bytes of variants) {
      writeFileSync(path, bytes);
      expect(corruptCode(path)).toBe('GRAFT_CHECKPOINT_CORRUPT');
    }
  });
});
