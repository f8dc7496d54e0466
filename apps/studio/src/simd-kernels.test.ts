import { existsSync, mkdtempSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStudio } from './serve.js';
import type { SimdPageResult } from './simd-page/probe.js';

// Graft's WebAssembly SIMD kernels (packages/backends/wasm/simd/) in Debian's Chromium: a page built by Vite
// the way the studio is (workspace sources, browser entries, tfjs's binaries as assets) starts @graft/backend-wasm,
// and the kernels must bind to tfjs's heap there too; else the page silently runs the slow portable path.
const pageDir = fileURLToPath(new URL('./simd-page/', import.meta.url));
/** max |wasm − cpu| / max |cpu|, as the backend's own parity tests measure it. */
const TOLERANCE = 1e-4;
let servers: Server[] = [];
/** The page minified, as the studio's production build is, served as the studio serves it. */
let plainPage: string;
/** The page unminified and served cross-origin isolated, where 2 threads start tfjs's threaded build (see below). */
let isolatedPage: string;
/** The minified page served cross-origin isolated: the backend's default must stay single-threaded there. */
let isolatedMinifiedPage: string;
let browser: Browser;

async function buildPage(minify: boolean): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'graft-simd-page-'));
  await build({
    root: pageDir,
    configFile: false,
    logLevel: 'error',
    resolve: { conditions: ['@graft/source', 'browser', 'module', 'import', 'default'] },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192, minify },
    worker: { format: 'es' },
  });
  return outDir;
}

beforeAll(async () => {
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing: run scripts/test-assets.sh (it installs Chromium from Debian)');
  const [minified, unminified] = [await buildPage(true), await buildPage(false)];
  const plain = await serveStudio(minified, minified);
  // tfjs-backend-wasm 4.22 starts its pthread workers from its glue's source text, which a minified bundle
  // breaks (the workers throw "ReferenceError: e is not defined" and the backend never starts), so the
  // threaded case runs the unminified bundle. The headers merge into the studio server's responses.
  const isolate = (server: Server): void => {
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    });
  };
  const isolated = await serveStudio(unminified, unminified);
  const isolatedMinified = await serveStudio(minified, minified);
  isolate(isolated.server);
  isolate(isolatedMinified.server);
  servers = [plain.server, isolated.server, isolatedMinified.server];
  [plainPage, isolatedPage, isolatedMinifiedPage] = [plain.url, `${isolated.url}?threads=2`, isolatedMinified.url];
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

type Run = { result: SimdPageResult; errors: string[] };

/** The probe's results in the page at `url` and in the module worker it starts, with the errors the page logged. */
async function runPage(url: string): Promise<{ page: Run; worker: Run }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => (window as { simdWorkerResult?: unknown }).simdWorkerResult !== undefined, { timeout: 30_000 });
  const [main, worker] = (await page.evaluate(() => {
    const w = window as { simdResult?: unknown; simdWorkerResult?: unknown };
    return [w.simdResult, w.simdWorkerResult];
  })) as [SimdPageResult, SimdPageResult];
  await page.close();
  return { page: { result: main, errors }, worker: { result: worker, errors } };
}

/** max |wasm − cpu| / max |cpu| of the depthwise filter gradient, after checking the SIMD kernels ran. */
function checked({ result, errors }: { result: SimdPageResult; errors: string[] }): number {
  expect(result.error).toBeUndefined();
  expect(errors).toEqual([]);
  expect(result.engineSimd).toBe(true);
  expect(result.kernels).toBe(true);
  expect(result.wasm.length).toBe(3 * 3 * 37);
  expect(result.cpu.length).toBe(result.wasm.length);
  const scale = Math.max(...result.cpu.map(Math.abs));
  expect(scale).toBeGreaterThan(1);
  return Math.max(...result.wasm.map((v, i) => Math.abs(v - result.cpu[i]!))) / scale;
}

describe("Graft's SIMD kernels in Chromium", () => {
  it('bind to the single-threaded wasm backend’s heap in the page and in a module worker (where the studio trains), and the depthwise filter gradient they compute equals the cpu backend’s (≤ 1e-4)', async () => {
    const { page, worker } = await runPage(plainPage);
    for (const run of [page, worker]) {
      expect(run.result).toMatchObject({ crossOriginIsolated: false, threads: 1, sharedHeap: false });
      expect(checked(run)).toBeLessThanOrEqual(TOLERANCE);
    }
  }, 60_000);

  it('bind to the threaded build’s shared heap in a cross-origin isolated page and its worker asking for 2 threads (their shared-memory variant), with the same gradient', async () => {
    const { page, worker } = await runPage(isolatedPage);
    for (const run of [page, worker]) {
      expect(run.result).toMatchObject({ crossOriginIsolated: true, sharedHeap: true });
      // tfjs's threaded build runs at most half the reported cores: 1 thread on a 2-core machine.
      expect(run.result.threads).toBeGreaterThanOrEqual(1);
      expect(checked(run)).toBeLessThanOrEqual(TOLERANCE);
    }
  }, 60_000);

  it('run single-threaded by default in a minified, cross-origin isolated page (where tfjs’s threaded build would never start)', async () => {
    const { page, worker } = await runPage(isolatedMinifiedPage);
    for (const run of [page, worker]) {
      expect(run.result).toMatchObject({ crossOriginIsolated: true, threads: 1, sharedHeap: false });
      expect(checked(run)).toBeLessThanOrEqual(TOLERANCE);
    }
  }, 60_000);
});
