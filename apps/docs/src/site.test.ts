import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { brokenLinks, htmlFiles, serve } from './site-check.js';

const app = join(import.meta.dirname, '..');
const out = join(app, 'test-output');
const site = join(out, 'site');
const shots = join(out, 'screenshots');
/** Debian's Chromium (`apt-get install chromium`, see scripts/test-assets.sh); never a downloaded browser. */
const CHROMIUM = process.env.GRAFT_CHROMIUM ?? '/usr/bin/chromium';

function step(command: string, args: string[]): void {
  const r = spawnSync(command, args, { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

let buildSeconds = 0;
beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const start = Date.now();
  const bin = (name: string) => join(app, '..', '..', 'node_modules', '.bin', name);
  step(process.execPath, [join(app, 'dist', 'main.js')]);
  step(bin('typedoc'), []);
  step(bin('vitepress'), ['build', 'content', '--outDir', site]);
  buildSeconds = (Date.now() - start) / 1000;
}, 600_000);

describe('the docs site', () => {
  it('builds every section', () => {
    const pages = htmlFiles(site);
    console.log(`built ${pages.length} pages in ${buildSeconds.toFixed(0)} s`);
    for (const p of ['index.html', 'getting-started.html', 'concepts/measured.html', 'guides/multitask.html', 'reference/strategies.html', 'reference/errors.html', 'api/index.html', 'benchmarks.html']) {
      expect(pages, p).toContain(p);
    }
  });

  it('has no broken internal link or anchor', () => {
    expect(brokenLinks(site)).toEqual([]);
  });
});

describe('the docs site in Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-assets.sh as root (apt-get install chromium)`);
    server = await serve(site);
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page that records console errors, failed requests and error responses. */
  async function watchedPage(width: number, height: number): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    await page.setViewport({ width, height, isMobile: width < 600, hasTouch: width < 600 });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()} (${m.location().url ?? ''})`));
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
    return { page, problems };
  }

  it('loads every page without console errors or failed requests', async () => {
    const queue = htmlFiles(site).filter((p) => p !== '404.html');
    const problems: string[] = [];
    // Four tabs at a time: most of a page's time is the wait for its network to stay quiet for 500 ms.
    const tab = async () => {
      const { page, problems: seen } = await watchedPage(1280, 800);
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        await page.goto(`${server.url}/${p}`, { waitUntil: 'networkidle0' });
        expect(await page.$('.NotFound'), `${p} renders as "not found"`).toBeNull();
        expect(await page.$eval('h1', (h) => h.textContent?.trim() ?? ''), p).not.toBe('');
      }
      await page.close();
      problems.push(...seen);
    };
    await Promise.all([tab(), tab(), tab(), tab()]);
    expect(problems).toEqual([]);
  }, 300_000);

  it('finds a strategy with the local search and opens the first result', async () => {
    const { page, problems } = await watchedPage(1280, 800);
    await page.goto(`${server.url}/index.html`, { waitUntil: 'networkidle0' });
    await page.click('.VPNavBarSearch button');
    await page.waitForSelector('#localsearch-input');
    await page.type('#localsearch-input', 'gradual unfreeze');
    await page.waitForSelector('#localsearch-list .result', { timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'search-desktop.png') });
    const first = await page.$eval('#localsearch-list .result', (a) => (a as HTMLAnchorElement).getAttribute('href') ?? '');
    await Promise.all([page.waitForFunction((h) => location.href.includes(h.split('#')[0]!), {}, first), page.click('#localsearch-list .result')]);
    await page.waitForNetworkIdle();
    expect(await page.$eval('.vp-doc', (d) => d.textContent ?? '')).toMatch(/gradual/i);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('renders at desktop and phone widths (screenshots in test-output/screenshots)', async () => {
    for (const [label, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]] as const) {
      const { page, problems } = await watchedPage(width, height);
      for (const [name, path] of [['home', 'index.html'], ['concepts-measured', 'concepts/measured.html'], ['reference-strategies', 'reference/strategies.html']] as const) {
        await page.goto(`${server.url}/${path}`, { waitUntil: 'networkidle0' });
        const file = join(shots, `${name}-${label}.png`);
        await page.screenshot({ path: file });
        expect(statSync(file).size).toBeGreaterThan(10_000);
        // Nothing wider than the screen: the phone layout must not scroll sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${label}`).toBeLessThanOrEqual(width);
      }
      if (label === 'phone') expect(await page.$('.VPNavBarHamburger'), 'phone layout shows the menu button').not.toBeNull();
      expect(problems).toEqual([]);
      await page.close();
    }
  }, 120_000);
});
