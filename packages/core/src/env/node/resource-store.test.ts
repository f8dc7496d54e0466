import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileStore } from './file-store.js';
import { cachePathFor, mirrorFromEnv, nodeResourceStore } from './resource-store.js';

const body = new TextEncoder().encode('real bytes of a dataset file\n'.repeat(50));
const sha = createHash('sha256').update(body).digest('hex');
let server: Server;
let base = '';
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/data/file.bin' || req.url === '/mirror/127.0.0.1_1/data/file.bin') res.end(body);
    else if (req.url === '/data/corrupt.bin') res.end(body.map((b, i) => (i === 7 ? b ^ 1 : b)));
    else if (req.url === '/data/truncated.bin') {
      // Announces the whole file, sends half of it and hangs up.
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, body.length / 2), () => res.destroy());
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const noMirror = { mirror: undefined, progress: undefined };

describe('nodeResourceStore', () => {
  it('downloads and verifies once, then reads the cache without a request', async () => {
    const cache = tempDir('graft-cache-');
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: cache, ...noMirror });
    const resource = { url: `${base}/data/file.bin`, sha256: sha };
    requests = [];
    expect(await store.get(resource)).toEqual(body);
    expect(await store.get(resource)).toEqual(body);
    expect(requests).toEqual(['/data/file.bin']);
    expect(await store.cached(resource)).toEqual({ location: cachePathFor(new URL(resource.url), cache), bytes: body.length });
  });

  it('refuses a corrupted, truncated or oversized download and caches nothing', async () => {
    const cache = tempDir('graft-cache-');
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: cache, ...noMirror });
    const corrupt = `${base}/data/corrupt.bin`;
    await expect(store.get({ url: corrupt, sha256: sha, label: 'the test file' })).rejects.toThrow(
      new RegExp(`^GRAFT_DOWNLOAD: the test file from ${corrupt} does not match its pinned checksum\\. Expected sha256 ${sha}, got [0-9a-f]{64}; it was not cached\\.`),
    );
    const truncated = `${base}/data/truncated.bin`;
    await expect(store.get({ url: truncated, sha256: sha })).rejects.toThrow(/^GRAFT_DOWNLOAD: (The download of .* broke off|.* sent \d+ of the \d+ bytes)/);
    await expect(store.get({ url: `${base}/data/file.bin`, maxBytes: 40 })).rejects.toThrow(/over the 40-byte limit/);
    for (const url of [corrupt, truncated, `${base}/data/file.bin`]) expect(existsSync(cachePathFor(new URL(url), cache))).toBe(false);
  });

  it('accepts any of several pinned digests, and drops a cached copy that matches none', async () => {
    const cache = tempDir('graft-cache-');
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: cache, ...noMirror });
    const url = `${base}/data/file.bin`;
    const path = cachePathFor(new URL(url), cache);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'damaged on disk');
    requests = [];
    expect(await store.get({ url, sha256: ['0'.repeat(64), sha.toUpperCase()] })).toEqual(body);
    expect(requests).toEqual(['/data/file.bin']);
  });

  it('names the URL and the mirror setting when the host cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: tempDir('graft-cache-'), ...noMirror });
    await expect(store.get({ url: `http://127.0.0.1:${port}/nothing.bin`, label: 'a dataset file' })).rejects.toThrow(
      `GRAFT_DOWNLOAD: Could not download a dataset file from http://127.0.0.1:${port}/nothing.bin. The request failed with ECONNREFUSED; ` +
        `no mirror is set (GRAFT_MIRROR). Connect to the network, or set GRAFT_MIRROR to a folder or server holding 127.0.0.1:${port}/nothing.bin ` +
        '(or just the file), or copy a cache filled by `graft data fetch` on a connected machine into GRAFT_CACHE.',
    );
  });

  it('reads a local copy that matches before any mirror or request, and skips one that does not', async () => {
    const dir = tempDir('graft-local-');
    writeFileSync(join(dir, 'good.bin'), body);
    writeFileSync(join(dir, 'bad.bin'), 'something else');
    const cache = tempDir('graft-cache-');
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: cache, ...noMirror });
    const resource = { url: 'http://127.0.0.1:1/data/file.bin', sha256: sha, localCopies: [join(dir, 'absent.bin'), join(dir, 'bad.bin'), join(dir, 'good.bin')] };
    expect(await store.get(resource)).toEqual(body);
    expect(await store.cached(resource)).toEqual({ location: join(dir, 'good.bin'), bytes: body.length });
    expect(existsSync(cachePathFor(new URL(resource.url), cache))).toBe(false);
  });

  it('stands a mirror folder in for an unreachable host, by cache layout or by file name, and refuses a wrong copy', async () => {
    const url = 'http://127.0.0.1:1/data/file.bin';
    const byLayout = tempDir('graft-mirror-');
    mkdirSync(join(byLayout, '127.0.0.1_1', 'data'), { recursive: true });
    writeFileSync(join(byLayout, '127.0.0.1_1', 'data', 'file.bin'), body);
    const byName = tempDir('graft-mirror-');
    writeFileSync(join(byName, 'file.bin'), body);
    for (const mirror of [byLayout, byName]) {
      const store = nodeResourceStore(nodeFileStore(), { cacheRoot: tempDir('graft-cache-'), mirror, progress: undefined });
      expect(await store.get({ url, sha256: sha })).toEqual(body);
    }
    const capped = nodeResourceStore(nodeFileStore(), { cacheRoot: tempDir('graft-cache-'), mirror: byName, progress: undefined });
    await expect(capped.get({ url, maxBytes: 100 })).rejects.toThrow(`GRAFT_DOWNLOAD: ${join(byName, 'file.bin')} has ${body.length} bytes, over the 100-byte limit`);
    writeFileSync(join(byName, 'file.bin'), 'not the file');
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: tempDir('graft-cache-'), mirror: byName, progress: undefined });
    await expect(store.get({ url, sha256: sha })).rejects.toThrow(`GRAFT_DOWNLOAD: ${url} from ${join(byName, 'file.bin')} does not match its pinned checksum`);
  });

  it('downloads from a mirror server into the cache, and says where it looked when the mirror lacks the file', async () => {
    const cache = tempDir('graft-cache-');
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: cache, mirror: `${base}/mirror`, progress: undefined });
    const url = 'http://127.0.0.1:1/data/file.bin';
    requests = [];
    expect(await store.get({ url, sha256: sha })).toEqual(body);
    expect(await store.get({ url, sha256: sha })).toEqual(body);
    expect(requests).toEqual(['/mirror/127.0.0.1_1/data/file.bin']);
    expect(existsSync(cachePathFor(new URL(url), cache))).toBe(true);
    await expect(store.get({ url: 'http://127.0.0.1:1/data/other.bin' })).rejects.toThrow(
      `the mirror ${base}/mirror has no copy either (looked at ${base}/mirror/127.0.0.1_1/data/other.bin and ${base}/mirror/other.bin)`,
    );
  });

  it('draws progress on a terminal only', async () => {
    const drawn: string[] = [];
    const store = nodeResourceStore(nodeFileStore(), { cacheRoot: tempDir('graft-cache-'), mirror: undefined, progress: { isTTY: true, write: (t) => drawn.push(t) } });
    await store.get({ url: `${base}/data/file.bin`, label: 'the test file' });
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn.at(-1)).toBe('\r\x1b[2K');
    expect(drawn.slice(0, -1)).toEqual(drawn.slice(0, -1).map(() => '\r\x1b[2KDownloading the test file  0.0 / 0.0 MB  100%'));
  });
});

describe('mirrorFromEnv', () => {
  it('reads GRAFT_MIRROR, else the older GRAFT_MODEL_MIRROR', () => {
    expect(mirrorFromEnv({ GRAFT_MIRROR: '/m', GRAFT_MODEL_MIRROR: '/old' })).toBe('/m');
    expect(mirrorFromEnv({ GRAFT_MODEL_MIRROR: '/old' })).toBe('/old');
    expect(mirrorFromEnv({})).toBeUndefined();
  });
});
