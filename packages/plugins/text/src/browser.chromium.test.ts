import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, memoryFileStore, nodeFileStore, nodeResourceStore } from '@graft/core/internal';
import strategies from '@graft/strategies';
import puppeteer, { type Browser } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBertTo } from './fixture/tiny-bert-model.js';
import { vocabFromTexts } from './hf/tokenizer-json.js';
import textNode from './index.js';
import type { PageResult } from './test-utils/browser-page/main.js';

// Debian's Chromium (scripts/test-assets.sh installs it) runs a page built by Vite from @graft/text's browser
// entry; the page fetches a tiny BERT from this process's server, as it would from a model host.
const CHROMIUM = '/usr/bin/chromium';
const pageDir = fileURLToPath(new URL('./test-utils/browser-page/', import.meta.url));
const TEXTS = ['great movie', 'loved it', 'wonderful acting', 'a great story', 'really wonderful', 'loved the music', 'great fun', 'wonderful and great'];
const MORE = ['awful movie', 'hated it', 'terrible acting', 'a boring story', 'really awful', 'hated the music', 'boring mess', 'terrible and awful'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

const hosted = memoryFileStore();
const modelRequests: string[] = [];
let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-assets.sh (it installs Chromium from Debian)`);
  await writeTinyBertTo(hosted, '/models/tiny-bert', { vocab: vocabFromTexts([...TEXTS, ...MORE]), hidden: 32, heads: 2, layers: 2, seed: 2, onnx: false });
  const outDir = mkdtempSync(join(tmpdir(), 'graft-text-page-'));
  await build({
    root: pageDir,
    configFile: false,
    logLevel: 'error',
    // Workspace packages resolve to their TypeScript sources and their browser entries, as a page's bundler picks them.
    resolve: { conditions: ['@graft/source', 'browser', 'module', 'import', 'default'] },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192, minify: false },
  });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (bytes: Uint8Array | undefined, type: string) => {
      res.writeHead(bytes ? 200 : 404, { 'content-type': type, connection: 'close' });
      res.end(bytes ?? 'not found');
    };
    if (path.startsWith('/models/')) {
      modelRequests.push(path);
      void hosted.read(path).then((bytes) => send(bytes, 'application/octet-stream'));
      return;
    }
    const file = join(outDir, path === '/' ? 'index.html' : path);
    send(file.startsWith(outDir) && existsSync(file) ? readFileSync(file) : undefined, TYPES[extname(file)] ?? 'application/octet-stream');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('@graft/text in Chromium', () => {
  it('fine-tunes BERT fetched by URL through the Cache API; the loss falls, the run writes only into the page’s memory, and its checkpoint predicts the same in Node (≤ 1e-4)', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(String(e)));
    const model = `${origin}/models/tiny-bert/`;
    await page.goto(`${origin}/?model=${encodeURIComponent(model)}`);
    await page.waitForFunction(() => (window as { graftResult?: unknown }).graftResult !== undefined, { timeout: 60_000 });
    const result = (await page.evaluate(() => (window as { graftResult?: unknown }).graftResult)) as PageResult;
    expect(result.error).toBeUndefined();
    const losses = result.losses!;
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(result.artifacts).toEqual(['/runs/sentiment/checkpoint.graft', '/runs/sentiment/metrics.jsonl']);
    const files = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
    expect(result.cached).toEqual(files.map((f) => `${model}${f}`));
    expect([...new Set(modelRequests)].sort()).toEqual(files.map((f) => `/models/tiny-bert/${f}`));
    expect(errors).toEqual([]);

    // The checkpoint the page would offer as a download opens in Node's runtime and predicts the same.
    const disk = mkdtempSync(join(tmpdir(), 'graft-text-page-download-'));
    writeFileSync(join(disk, 'checkpoint.graft'), Buffer.from(result.checkpoint!, 'base64'));
    writeFileSync(join(disk, 'reviews.jsonl'), [...TEXTS, ...MORE].map((t, i) => JSON.stringify({ text: t, label: i < TEXTS.length ? 'pos' : 'neg' })).join('\n'));
    const resources = nodeResourceStore(nodeFileStore(), { cacheRoot: join(disk, 'cache'), mirror: undefined, progress: undefined });
    const trained = await createRuntime({ plugins: [strategies, textNode], environment: { resources } }).openTrained(join(disk, 'checkpoint.graft'), { data: join(disk, 'reviews.jsonl') });
    const inNode = (await trained.predict({ split: 'train', limit: 16 })).flatMap((t) => t.predictions.flatMap((p) => Object.values((p as { probabilities: Record<string, number> }).probabilities)));
    trained.dispose();
    const inPage = result.probabilities!;
    expect(inPage.length).toBe(32);
    expect(Math.max(...inPage.map((x, i) => Math.abs(x - inNode[i]!)))).toBeLessThanOrEqual(1e-4);
  }, 90_000);
});
