import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// @graft/core's IndexedDB file store in Debian's Chromium: the module built on its own and imported by a
// page, so every call below runs against the browser's real IndexedDB and Web Locks.
const STORE_SOURCE = fileURLToPath(new URL('../../../packages/core/src/env/browser/indexeddb-file-store.ts', import.meta.url));
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing: run scripts/test-assets.sh (it installs Chromium from Debian)');
  const outDir = mkdtempSync(join(tmpdir(), 'graft-idb-store-'));
  await build({ configFile: false, logLevel: 'error', build: { outDir, emptyOutDir: true, minify: false, lib: { entry: STORE_SOURCE, formats: ['es'], fileName: 'store' } } });
  const store = readFileSync(join(outDir, 'store.js'));
  server = createServer((req, res) => {
    if (req.url === '/store.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(store);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>store</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(base);
  // The store on `window.store`, over the database "t".
  await page.evaluate(`import('/store.js').then((m) => { window.store = m.indexedDbFileStore({ database: 't', clock: () => 1000 }); })`);
  return page;
}

describe('indexedDbFileStore in Chromium', () => {
  it('reads what it wrote (bytes and text), lists folders, stats, appends, removes trees, refuses a file over maxBytes, and keeps it all across a reload', async () => {
    const page = await open();
    const first = await page.evaluate(async () => {
      const s = (window as unknown as { store: import('@graft/core').FileStore }).store;
      await s.write('/runs/a/checkpoint.graft', new Uint8Array([1, 2, 3, 250]));
      await s.write('runs/a/run.json', '{"x":1}');
      await s.write('/runs/b/run.json', 'old');
      await s.write('/runs/b/run.json', 'new');
      await s.write('/runsx/c', 'not under /runs');
      await s.append('/runs/a/metrics.jsonl', 'one\n');
      await s.append('/runs/a/metrics.jsonl', 'two\n');
      const big = await s.read('/runs/a/checkpoint.graft', { maxBytes: 3 }).then(
        () => 'read',
        (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
      );
      return {
        bytes: Array.from((await s.read('/runs/a/checkpoint.graft'))!),
        text: new TextDecoder().decode(await s.read('/runs/b/run.json')),
        metrics: new TextDecoder().decode(await s.read('/runs/a/metrics.jsonl')),
        missing: (await s.read('/runs/none')) === undefined,
        root: await s.list('/'),
        runs: await s.list('/runs'),
        inA: await s.list('/runs/a'),
        statFile: await s.stat('/runs/a/checkpoint.graft'),
        statDir: await s.stat('/runs/a'),
        statNone: await s.stat('/runs/z'),
        big,
        resolved: s.resolve('/runs/a', '../b', 'run.json'),
      };
    });
    expect(first).toEqual({
      bytes: [1, 2, 3, 250],
      text: 'new',
      metrics: 'one\ntwo\n',
      missing: true,
      root: ['runs', 'runsx'],
      runs: ['a', 'b'],
      inA: ['checkpoint.graft', 'metrics.jsonl', 'run.json'],
      statFile: { kind: 'file', size: 4, modified: 1000 },
      statDir: { kind: 'directory', size: 0, modified: 1000 },
      statNone: undefined,
      big: expect.stringMatching(/^GRAFT_DATA_INVALID: .*checkpoint\.graft is 4 bytes, over the 3-byte limit/),
      resolved: '/runs/b/run.json',
    });

    await page.reload();
    await page.evaluate(`import('/store.js').then((m) => { window.store = m.indexedDbFileStore({ database: 't' }); })`);
    const after = await page.evaluate(async () => {
      const s = (window as unknown as { store: import('@graft/core').FileStore }).store;
      const kept = Array.from((await s.read('/runs/a/checkpoint.graft')) ?? []);
      await s.remove('/runs/a');
      await s.remove('/runs/never');
      return { kept, runs: await s.list('/runs'), gone: (await s.read('/runs/a/run.json')) === undefined, other: await s.list('/runsx') };
    });
    expect(after).toEqual({ kept: [1, 2, 3, 250], runs: ['b'], gone: true, other: ['c'] });
    await page.close();
  });

  it('locks a folder across tabs (Web Locks): a second tab is refused with GRAFT_RUN_LOCKED until the first releases it', async () => {
    const [one, two] = [await open(), await open()];
    await one.evaluate(async () => {
      const w = window as unknown as { store: import('@graft/core').FileStore; held: import('@graft/core').FolderLock };
      w.held = await w.store.lock('/runs/x');
    });
    const tryLock = (page: Page) =>
      page.evaluate(async () => {
        const s = (window as unknown as { store: import('@graft/core').FileStore }).store;
        try {
          const lock = await s.lock('/runs/x');
          await lock.release();
          return 'granted';
        } catch (e) {
          return (e as { code?: string }).code ?? String(e);
        }
      });
    expect(await tryLock(two)).toBe('GRAFT_RUN_LOCKED');
    // Another folder is free.
    expect(await two.evaluate(async () => ((await (window as unknown as { store: import('@graft/core').FileStore }).store.lock('/runs/y')) ? 'granted' : 'no'))).toBe('granted');
    await one.evaluate(() => (window as unknown as { held: import('@graft/core').FolderLock }).held.release());
    expect(await tryLock(two)).toBe('granted');
    await Promise.all([one.close(), two.close()]);
  });
});
