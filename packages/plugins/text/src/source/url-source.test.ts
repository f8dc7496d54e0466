import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { memoryFileStore, nodeEnvironment, nodeFileStore, nodeResourceStore, silentLogger, type SourceContext } from '@graft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBertTo } from '../fixture/tiny-bert-model.js';
import { vocabFromTexts } from '../hf/tokenizer-json.js';
import { bertSource } from '../plugin.js';
import { bertSourceOptions } from './bert-source.js';
import { serveFiles, type ServedFiles } from '../test-utils/serve-files.js';

const hosted = memoryFileStore();
let served: ServedFiles;
let base: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await writeTinyBertTo(hosted, '/hf/tiny-bert', { vocab: vocabFromTexts(['a tiny model']), hidden: 16, heads: 2, layers: 1, seed: 4, safetensors: false });
  served = await serveFiles(hosted);
  base = `${served.origin}/hf/tiny-bert`;
});

afterAll(() => served.close());

describe('text/bert with url in Node', () => {
  it('fetches the folder through the disk cache (the second load asks only for the absent file), reading ONNX weights when safetensors is absent', async () => {
    const files = nodeFileStore();
    const env = nodeEnvironment({ resources: nodeResourceStore(files, { cacheRoot: mkdtempSync(join(tmpdir(), 'graft-url-cache-')), mirror: undefined, progress: undefined }) });
    const ctx: SourceContext = { configDir: '/', seed: 0, log: silentLogger, env, where: 'source', loadSource: () => Promise.reject(new Error('none')) };
    const first = await bertSource.load(bertSourceOptions.parse({ url: base }), ctx);
    expect(first.config.hiddenSize).toBe(16);
    expect(served.requests).toContain('/hf/tiny-bert/model.safetensors');
    expect(served.requests).toContain('/hf/tiny-bert/onnx/model.onnx');
    served.requests.length = 0;
    const again = await bertSource.load(bertSourceOptions.parse({ url: `${base}/` }), ctx);
    // Only the absent safetensors is asked for again: a 404 is not cached.
    expect(served.requests).toEqual(['/hf/tiny-bert/model.safetensors']);
    expect(await again.weights()[0]!.variable.data()).toEqual(await first.weights()[0]!.variable.data());
    await expect(bertSource.load(bertSourceOptions.parse({ url: base, weights: 'safetensors' }), ctx)).rejects.toThrow(
      /GRAFT_MODEL_LOAD: `weights: safetensors` asks for model.safetensors, which the model directory does not have/,
    );
    await expect(bertSource.load(bertSourceOptions.parse({ url: 'not a url' }), ctx)).rejects.toThrow(/GRAFT_CONFIG_INVALID: "not a url" is not a URL at source.url/);
    expect(() => bertSourceOptions.parse({ url: base, path: 'x' })).toThrow(/exactly one of `path` or `model` or `url`/);
  });
});
