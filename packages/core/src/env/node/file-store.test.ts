import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileStore } from './file-store.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'graft-files-'));

describe('nodeFileStore', () => {
  it('writes atomically (no temporary file left), appends, reads, lists and removes', async () => {
    const dir = fresh();
    const files = nodeFileStore();
    await files.write(join(dir, 'a', 'x.txt'), 'one');
    await files.write(join(dir, 'a', 'x.txt'), 'two');
    await files.append(join(dir, 'a', 'log'), 'l1\n');
    await files.append(join(dir, 'a', 'log'), 'l2\n');
    expect(new TextDecoder().decode(await files.read(join(dir, 'a', 'x.txt')))).toBe('two');
    expect(readFileSync(join(dir, 'a', 'log'), 'utf8')).toBe('l1\nl2\n');
    expect(await files.list(join(dir, 'a'))).toEqual(['log', 'x.txt']);
    expect(await files.read(join(dir, 'missing'))).toBeUndefined();
    await files.remove(join(dir, 'a'));
    expect(await files.stat(join(dir, 'a'))).toBeUndefined();
  });

  it('refuses a folder where a file is expected, and a file over maxBytes', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'big'), 'x'.repeat(100));
    const files = nodeFileStore();
    await expect(files.read(dir)).rejects.toThrow(/^GRAFT_DATA_INVALID: .* is a folder, where a file was expected/);
    await expect(files.read(join(dir, 'big'), { maxBytes: 10 })).rejects.toThrow(/has 100 bytes, more than the 10/);
  });

  it('locks a folder against a live process and takes over the lock of a dead one', async () => {
    const dir = fresh();
    const files = nodeFileStore();
    const lock = await files.lock(dir);
    await expect(files.lock(dir)).rejects.toThrow(/^GRAFT_RUN_LOCKED: Another Graft process \(pid \d+/);
    await lock.release();

    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    writeFileSync(join(dir, '.graft.lock'), JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), token: 't', since: 'then' }));
    const taken = await files.lock(dir);
    expect(taken.tookOverFrom).toBe(`pid ${deadPid} (since then)`);
    await taken.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});
