import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, zipStored } from './zip.js';

describe('zipStored', () => {
  it('computes CRC-32’s published check value (0xCBF43926 for "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes an archive Info-ZIP’s unzip tests and extracts byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-zip-'));
    const weights = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 2654435761) >>> 24);
    const files = { 'model.json': new TextEncoder().encode('{"format":"layers-model","é":1}'), 'group1-shard1of1.bin': weights };
    writeFileSync(join(dir, 'a.zip'), zipStored(files));
    expect(execFileSync('/usr/bin/unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/);
    execFileSync('/usr/bin/unzip', ['-q', join(dir, 'a.zip'), '-d', join(dir, 'out')]);
    expect(readFileSync(join(dir, 'out', 'model.json'), 'utf8')).toBe('{"format":"layers-model","é":1}');
    expect(new Uint8Array(readFileSync(join(dir, 'out', 'group1-shard1of1.bin')))).toEqual(weights);
  });
});
