import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { browserEnvironment, createBrowserRuntime, decodeRun, memoryFileStore, silentLogger, type SourceContext } from '@graft/core/browser';
import { createRuntime, nodeFileStore, nodeResourceStore } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import textBrowser, { bertSource, bertSourceOptions, vocabFromTexts, writeTinyBertTo } from './browser.js';
import { fileModelFolder, urlModelFolder } from './hf/model-folder.js';
import { serveFiles, type ServedFiles } from './test-utils/serve-files.js';
import textNode from './index.js';

const POSITIVE = ['great movie', 'loved it', 'wonderful acting', 'a great story', 'really wonderful', 'loved the music', 'great fun', 'wonderful and great'];
const NEGATIVE = ['awful movie', 'hated it', 'terrible acting', 'a boring story', 'really awful', 'hated the music', 'boring mess', 'terrible and awful'];
const TEXTS = [...POSITIVE, ...NEGATIVE];

// The model is served over loopback HTTP from a store in memory: what a page fetches from a model host.
const hosted = memoryFileStore();
let served: ServedFiles;
let base: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await writeTinyBertTo(hosted, '/models/tiny-bert', { vocab: vocabFromTexts(TEXTS), hidden: 32, heads: 2, layers: 2, seed: 2, onnx: false });
  await hosted.write('/secret.txt', 'not part of the model');
  served = await serveFiles(hosted);
  base = `${served.origin}/models/tiny-bert/`;
});

afterAll(() => served.close());

/** The page's own files: a JSON Lines dataset the user dropped in. */
const REVIEWS = TEXTS.map((text, i) => JSON.stringify({ text, label: i < POSITIVE.length ? 'pos' : 'neg' })).join('\n');

function pageFiles() {
  const files = memoryFileStore();
  void files.write('/data/reviews.jsonl', REVIEWS);
  return files;
}

/** Each prediction's class probabilities, in order. */
function scoresOf(predictions: Array<{ predictions: unknown[] }>): number[] {
  return predictions.flatMap((t) => t.predictions.flatMap((p) => Object.values((p as { probabilities: Record<string, number> }).probabilities)));
}

function sourceContext(files = pageFiles()): SourceContext {
  return {
    configDir: '/',
    seed: 0,
    log: silentLogger,
    env: browserEnvironment({ overrides: { files } }),
    where: 'source',
    loadSource: () => Promise.reject(new Error('no nested sources here')),
  };
}

describe('@graft/text/browser', () => {
  it('trains a text classifier through createBrowserRuntime: BERT by URL, data from the page’s files, artifacts in memory; the loss falls', async () => {
    served.requests.length = 0;
    const artifacts = memoryFileStore();
    const runtime = createBrowserRuntime({ plugins: [strategies, textBrowser], environment: { files: pageFiles(), artifacts } });
    const run = await runtime.load({
      backend: 'cpu',
      seed: 1,
      source: { use: 'text/bert', url: base, pooling: 'mean' },
      tasks: [{ name: 'sentiment', data: { use: 'text/jsonl', path: 'data/reviews.jsonl', maxLength: 8, testFraction: 0 } }],
      stages: [
        { use: 'linear-probe', epochs: 1, lr: 0.01, batchSize: 4 },
        { use: 'fine-tune', epochs: 5, lr: 0.01, batchSize: 4 },
      ],
      output: { dir: '/runs/sentiment' },
    });
    const result = await run.train();
    const losses = result.history.map((h) => h.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    // The model came over HTTP (no ONNX asked for: safetensors was there); the run wrote only into memory.
    expect([...new Set(served.requests)].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].map((f) => `/models/tiny-bert/${f}`));
    expect(artifacts.paths()).toEqual(['/runs/sentiment/checkpoint.graft', '/runs/sentiment/metrics.jsonl']);
    expect(existsSync('/runs/sentiment')).toBe(false);
    const checkpoint = (await artifacts.read('/runs/sentiment/checkpoint.graft'))!;
    expect(decodeRun(checkpoint, 'checkpoint.graft').position).toMatchObject({ stage: 1, stageDone: true });

    // Carried back to Node: the page's checkpoint, saved to disk, predicts the same through Node's runtime
    // (the model folder fetched by URL again, into a disk cache of its own).
    const inPage = await runtime.openTrained('/runs/sentiment');
    const pagePredictions = await inPage.predict({ split: 'train', limit: TEXTS.length });
    inPage.dispose();
    const disk = mkdtempSync(join(tmpdir(), 'graft-text-roundtrip-'));
    writeFileSync(join(disk, 'checkpoint.graft'), checkpoint);
    writeFileSync(join(disk, 'reviews.jsonl'), REVIEWS);
    const resources = nodeResourceStore(nodeFileStore(), { cacheRoot: join(disk, 'cache'), mirror: undefined, progress: undefined });
    const node = createRuntime({ plugins: [strategies, textNode], environment: { resources } });
    const inNode = await node.openTrained(join(disk, 'checkpoint.graft'), { data: join(disk, 'reviews.jsonl') });
    const nodePredictions = await inNode.predict({ split: 'train', limit: TEXTS.length });
    inNode.dispose();
    const [a, b] = [scoresOf(pagePredictions), scoresOf(nodePredictions)];
    expect(a.length).toBe(TEXTS.length * 2);
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThanOrEqual(1e-4);
  });

  it('reads text/bert from the page’s files too, and says to give a URL for a hub id', async () => {
    const files = pageFiles();
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
      await files.write(`/bert/${name}`, (await hosted.read(`/models/tiny-bert/${name}`))!);
    }
    const fromFiles = await bertSource.load(bertSourceOptions.parse({ path: 'bert' }), sourceContext(files));
    const fromUrl = await bertSource.load(bertSourceOptions.parse({ url: base }), sourceContext());
    expect(fromFiles.config).toEqual(fromUrl.config);
    expect(await fromFiles.weights()[0]!.variable.data()).toEqual(await fromUrl.weights()[0]!.variable.data());
    await expect(bertSource.load(bertSourceOptions.parse({ model: 'bert-base-uncased' }), sourceContext())).rejects.toThrow(
      /GRAFT_CONFIG_INVALID: The hub model "bert-base-uncased" cannot be loaded by id in a browser at source[\s\S]*Give `url`/,
    );
  });

  it('keeps model files inside their folder, under a URL and in memory alike; a 404 names the missing file', async () => {
    const { resources } = browserEnvironment();
    const byUrl = urlModelFolder(resources, base);
    await expect(byUrl.read('../../secret.txt')).rejects.toThrow(/GRAFT_MODEL_LOAD: The file name "..\/..\/secret.txt" points outside the model directory/);
    await expect(byUrl.read('http://127.0.0.1:1/secret.txt')).rejects.toThrow(/points outside the model directory/);
    // A URL folds percent-encoded dots as `..`: the resolved URL is checked too.
    await expect(byUrl.read('%2e%2e/%2E%2E/secret.txt')).rejects.toThrow(/points outside the model directory/);
    await expect(byUrl.read('onnx/model.onnx')).rejects.toThrow(/GRAFT_MODEL_LOAD: The model directory is missing onnx\/model.onnx at http:\/\/127\.0\.0\.1:\d+\/models\/tiny-bert\//);
    const inMemory = fileModelFolder(hosted, '/models/tiny-bert');
    await expect(inMemory.read('../../secret.txt')).rejects.toThrow(/points outside the model directory/);
    expect(new TextDecoder().decode(await inMemory.read('sub/../config.json'))).toContain('"hidden_size": 32');
  });

  it('reaches no node: module and imports only names the browser entries export (scripts/check-browser-imports.mjs)', () => {
    const root = fileURLToPath(new URL('../../../..', import.meta.url));
    const check = (entry: string) => {
      try {
        return { ok: true, out: execFileSync(process.execPath, ['scripts/check-browser-imports.mjs', entry], { cwd: root, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        return { ok: false, out: String((e as { stderr?: string }).stderr) };
      }
    };
    const text = check('packages/plugins/text/src/browser.ts');
    expect(text.out).toMatch(/packages\/plugins\/text\/src\/browser\.ts: \d+ modules, no node: import/);
    expect(text.ok).toBe(true);
    // A module that imports a Node-only name of @graft/core: Node runs it, a page's bundler would not.
    const bad = join(mkdtempSync(join(tmpdir(), 'graft-entry-')), 'entry.ts');
    writeFileSync(bad, "import { GraftError, nodeFileStore, type FileStore } from '@graft/core';\nexport const x = [GraftError, nodeFileStore];\n");
    const caught = check(bad);
    expect(caught.ok).toBe(false);
    expect(caught.out).toContain('"nodeFileStore" is imported from "@graft/core" by');
    expect(caught.out).toContain("but that package's browser entry (packages/core/src/browser.ts) does not export it");
    expect(caught.out).not.toContain('"GraftError"');
    expect(caught.out).not.toContain('"FileStore"');
  });
});
