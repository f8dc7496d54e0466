import { existsSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStudio } from './serve.js';
import type { SimdPageResult } from './simd-page/main.js';

// Graft's WebAssembly SIMD kernels (packages/backends/wasm/simd/) in Debian's Chromium: a page built by Vite
// the way the studio is (workspace sources, browser entries, tfjs's binaries as assets) starts @graft/backend-wasm,
// and the kernels must bind to tfjs's heap there too; else the page silently runs the slow portable path.
const pageDir = fileURLToPath(new URL('./simd-page/', import.meta.url));
/** max |wasm − cpu| / max |cpu|, as the backend's own parity tests measure it. */
const TOLERANCE = 1e-4;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing: run scripts/test-assets.sh (it installs Chromium from Debian)');
  const outDir = mkdtempSync(join(tmpdir(), 'graft-simd-page-'));
  await build({
    root: pageDir,
    configFile: false,
    logLevel: 'error',
    resolve: { conditions: ['@graft/source', 'browser', 'module', 'import', 'default'] },
    // Minified, as the studio's production build is.
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192 },
  });
  ({ server, url: base } = await serveStudio(outDir, outDir));
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe("Graft's SIMD kernels in Chromium", () => {
  it('bind to the wasm backend’s heap, and the depthwise filter gradient they compute equals the cpu backend’s (≤ 1e-4)', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(String(e)));
    await page.goto(base);
    await page.waitForFunction(() => (window as { simdResult?: unknown }).simdResult !== undefined, { timeout: 30_000 });
    const result = (await page.evaluate(() => (window as { simdResult?: unknown }).simdResult)) as SimdPageResult;
    expect(result.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(result.engineSimd).toBe(true);
    expect(result.kernels).toBe(true);
    expect(result.wasm.length).toBe(3 * 3 * 37);
    expect(result.cpu.length).toBe(result.wasm.length);
    const scale = Math.max(...result.cpu.map(Math.abs));
    const error = Math.max(...result.wasm.map((v, i) => Math.abs(v - result.cpu[i]!)));
    expect(scale).toBeGreaterThan(1);
    expect(error / scale).toBeLessThanOrEqual(TOLERANCE);
    await page.close();
  }, 60_000);
});
