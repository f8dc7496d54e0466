import { describe, expect, it } from 'vitest';
import { memoryFileStore } from './file-store.js';

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe('memoryFileStore', () => {
  it('writes, appends, lists, stats and removes like a file system with implicit folders', async () => {
    const store = memoryFileStore({ '/data/a.txt': 'alpha' }, () => 42);
    expect(text(await store.read('/data/./x/../a.txt'))).toBe('alpha');
    await store.write('/runs/r1/report.json', '{}');
    await store.append('/runs/r1/metrics.jsonl', 'a\n');
    await store.append('/runs/r1/metrics.jsonl', 'b\n');
    expect(text(await store.read('/runs/r1/metrics.jsonl'))).toBe('a\nb\n');
    expect(await store.list('/runs/r1')).toEqual(['metrics.jsonl', 'report.json']);
    expect(await store.list('/')).toEqual(['data', 'runs']);
    expect(await store.stat('/runs')).toEqual({ kind: 'directory', size: 0, modified: 0 });
    expect(await store.stat('/runs/r1/metrics.jsonl')).toEqual({ kind: 'file', size: 4, modified: 42 });
    expect(store.resolve('/cfg', 'data/../d.csv')).toBe('/cfg/d.csv');
    await expect(store.read('/runs')).rejects.toThrow(/^GRAFT_DATA_INVALID: \/runs is a folder/);
    await expect(store.read('/data/a.txt', { maxBytes: 3 })).rejects.toThrow(/5 bytes, more than the 3/);
    await store.remove('/runs');
    expect(store.paths()).toEqual(['/data/a.txt']);
    expect(await store.read('/runs/r1/report.json')).toBeUndefined();
  });

  it('hands out one lock per folder until it is released', async () => {
    const store = memoryFileStore();
    const lock = await store.lock('/runs/r1');
    await expect(store.lock('/runs/r1/')).rejects.toThrow(/^GRAFT_RUN_LOCKED/);
    await lock.release();
    await (await store.lock('/runs/r1')).release();
  });

  it('keeps its own copy of written bytes', async () => {
    const store = memoryFileStore();
    const bytes = new Uint8Array([1, 2, 3]);
    await store.write('/b.bin', bytes);
    bytes[0] = 9;
    expect([...(await store.read('/b.bin'))!]).toEqual([1, 2, 3]);
  });
});
