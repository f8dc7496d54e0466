// Fine-tuning speed of the studio's model (MobileNet v1 0.25 at 96×96, batch 16, 48 sample images) in the
// page (Chromium, wasm) against Node (wasm): seconds of the second fine-tune epoch, as samples per second.
// Run: npx tsx bench/studio/step-speed.ts   (needs the studio built: npx vite build apps/studio)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { createRuntime } from '@graft/core';
import { trainSession } from '@graft/core/internal';
import wasm from '@graft/backend-wasm';
import strategies from '@graft/strategies';
import vision from '@graft/vision';
import { serveStudio } from '../../apps/studio/src/serve.js';

const MODELS = '/work/shared/models';
const SAMPLES = join(import.meta.dirname, '../../apps/studio/public/samples');
const EPOCH_SAMPLES = 48;

async function inPage(backend: string): Promise<number> {
  const { url, server } = await serveStudio(join(import.meta.dirname, '../../apps/studio/dist'), MODELS);
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}?model=${encodeURIComponent(`${url}models/mobilenet_v1_0.25_224/model.json`)}`);
    await page.click('#load-sample');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('Sample set loaded'));
    await page.select('#strategy', 'fine-tune');
    await page.select('#backend', backend);
    await page.$eval('#epochs', (e) => void ((e as HTMLInputElement).value = '3'));
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('accuracy')!.dataset.value, { timeout: 300_000 });
    const ends = JSON.parse((await page.$eval('#curves', (e) => (e as HTMLElement).dataset.epochEnds))!) as number[];
    return EPOCH_SAMPLES / ((ends[2]! - ends[1]!) / 1000);
  } finally {
    await browser.close();
    server.close();
  }
}

async function inNode(): Promise<number> {
  const runtime = createRuntime({ plugins: [strategies, vision, wasm] });
  const run = await runtime.load({
    backend: 'wasm',
    seed: 7,
    source: { use: 'vision/mobilenet-v1', alpha: 0.25, size: 224, inputSize: 96, path: `${MODELS}/mobilenet_v1_0.25_224` },
    tasks: [{ name: 'images', type: 'classification', data: { use: 'vision/image-folder', path: SAMPLES, size: 28, channels: 3, testFraction: 0.25 } }],
    stages: [{ use: 'fine-tune', epochs: 3, lr: 0.001, batchSize: 16 }],
    output: { dir: mkdtempSync(join(tmpdir(), 'graft-studio-bench-')) },
  });
  const session = await run.open();
  const ends: number[] = [];
  await trainSession(session, { callbacks: { onEpochEnd: () => void ends.push(performance.now()) } });
  session.dispose();
  return EPOCH_SAMPLES / ((ends[2]! - ends[1]!) / 1000);
}

const page = await inPage('wasm');
const node = await inNode();
console.log(`fine-tune samples/s: page wasm ${page.toFixed(1)}, Node wasm ${node.toFixed(1)}, ratio page/Node ${(page / node).toFixed(2)}`);
