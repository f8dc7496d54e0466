import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileStore } from './file-store.js';
import { cachePathFor, nodeResourceStore } from './resource-store.js';

const body = new TextEncoder().encode('real bytes of a dataset file\n');
const sha = createHash('sha256').update(body).digest('hex');
let server: Server;
let base = '';
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    if (req.url === '/data/file.bin') res.end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('nodeResourceStore', () => {
  it('downloads and verifies once, then reads the cache without a request', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'graft-cache-'));
    const store = nodeResourceStore(nodeFileStore(), cache);
    const resource = { url: `${base}/data/file.bin`, sha256: sha };
    requests = 0;
    expect(await store.get(resource)).toEqual(body);
    expect(await store.get(resource)).toEqual(body);
    expect(requests).toBe(1);
    expect(await store.cached(resource)).toEqual({ location: cachePathFor(new URL(resource.url), cache), bytes: body.length });
  });

  it('refuses a checksum mismatch or an oversized file and caches nothing', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'graft-cache-'));
    const store = nodeResourceStore(nodeFileStore(), cache);
    const url = `${base}/data/file.bin`;
    await expect(store.get({ url, sha256: '0'.repeat(64) })).rejects.toThrow(/^GRAFT_DOWNLOAD: .* does not match its pinned checksum/);
    await expect(store.get({ url, maxBytes: 4 })).rejects.toThrow(/over the 4-byte limit/);
    expect(existsSync(cachePathFor(new URL(url), cache))).toBe(false);
  });

  it('names the URL when the host cannot be reached', async () => {
    const store = nodeResourceStore(nodeFileStore(), mkdtempSync(join(tmpdir(), 'graft-cache-')));
    await expect(store.get({ url: 'http://127.0.0.1:9/nothing.bin' })).rejects.toThrow(/^GRAFT_DOWNLOAD: Could not download .*127\.0\.0\.1:9\/nothing\.bin/);
  });
});
