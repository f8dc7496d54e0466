import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';
import { Rng } from '@graft/core/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vocabFromTexts } from '../hf/tokenizer-json.js';
import { writeTinyBert } from '../fixture/tiny-bert.js';
import { sourceContext } from '../test-utils/context.js';
import { maxAbsDiff } from '../test-utils/paths.js';
import { bertSourceOptions } from './bert-source.js';
import { bertSource } from '../plugin.js';

const TEXTS = ['the cat sat on the mat', 'dogs bark loudly at night', 'a cat and a dog', 'night falls'];
const ctx = sourceContext(1);
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
  dir = mkdtempSync(join(tmpdir(), 'graft-bert-src-'));
  await writeTinyBert(dir, { vocab: vocabFromTexts(TEXTS), hidden: 32, heads: 2, layers: 2, seed: 5 });
});

async function referenceOutputs(modelDir: string) {
  const tokenizer = await AutoTokenizer.from_pretrained(modelDir);
  const batch = tokenizer(TEXTS, { padding: true });
  const model = await AutoModel.from_pretrained(modelDir, { dtype: 'fp32' });
  const out = await model(batch);
  const [b, t] = batch.input_ids.dims as [number, number];
  const ids = tf.tensor2d(Array.from(batch.input_ids.data as BigInt64Array, Number), [b, t], 'int32');
  const mask = tf.tensor2d(Array.from(batch.attention_mask.data as BigInt64Array, Number), [b, t], 'int32');
  await model.dispose();
  return { ids, mask, pooler: out.pooler_output.data as Float32Array, hidden: out.last_hidden_state.data as Float32Array, t };
}

describe('text/bert source', () => {
  it('loads a directory into a trunk with BERT layer groups and HF weight keys', async () => {
    const trunk = await bertSource.load(bertSourceOptions.parse({ path: dir }), ctx);
    expect(trunk.groups.map((g) => g.name)).toEqual(['embeddings', 'layer.0', 'layer.1', 'pooler']);
    expect(trunk.groups.map((g) => g.variables.length)).toEqual([5, 16, 16, 2]);
    expect(trunk.featureSize).toBe(32);
    expect(trunk.inputNames).toEqual(['input_ids', 'attention_mask']);
    const keys = trunk.weights().map((w) => w.key);
    expect(keys[0]).toBe('embeddings.word_embeddings.weight');
    expect(keys).toContain('encoder.layer.1.attention.self.query.weight');
    expect(keys.at(-1)).toBe('pooler.dense.bias');
    trunk.dispose();
  });

  it('apply gives transformers.js pooler_output (cls) and the masked mean of last_hidden_state (mean)', async () => {
    const ref = await referenceOutputs(dir);
    const cls = await bertSource.load(bertSourceOptions.parse({ path: dir }), ctx);
    const features = cls.apply(cls.preprocess({ input_ids: ref.ids, attention_mask: ref.mask }), false);
    expect(features.shape).toEqual([4, 32]);
    expect(maxAbsDiff(features.dataSync(), ref.pooler)).toBeLessThan(1e-4);
    cls.dispose();

    const mean = await bertSource.load(bertSourceOptions.parse({ path: dir, pooling: 'mean' }), ctx);
    expect(mean.groups.map((g) => g.name)).toEqual(['embeddings', 'layer.0', 'layer.1']);
    const pooled = mean.apply({ input_ids: ref.ids, attention_mask: ref.mask }, false).dataSync();
    const m = ref.mask.dataSync();
    const expected = new Float32Array(4 * 32);
    for (let b = 0; b < 4; b++) {
      let n = 0;
      for (let t = 0; t < ref.t; t++) {
        if (m[b * ref.t + t] !== 1) continue;
        n++;
        for (let h = 0; h < 32; h++) expected[b * 32 + h]! += ref.hidden[(b * ref.t + t) * 32 + h]!;
      }
      for (let h = 0; h < 32; h++) expected[b * 32 + h]! /= n;
    }
    expect(maxAbsDiff(pooled, expected)).toBeLessThan(1e-4);
    mean.dispose();
  });

  it('trains: a linear head on the trunk lowers the loss, and gradients reach the embeddings', async () => {
    const ref = await referenceOutputs(dir);
    const trunk = await bertSource.load(bertSourceOptions.parse({ path: dir }), ctx);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const head = tf.variable(tf.randomNormal([32, 2], 0, 0.1, 'float32', 3));
    const optimizer = tf.train.adam(1e-2);
    const vars = [...trunk.groups.flatMap((g) => g.variables), head];
    const loss = () => tf.losses.softmaxCrossEntropy(labels, tf.matMul(trunk.apply({ input_ids: ref.ids, attention_mask: ref.mask }, true), head)) as tf.Scalar;
    const before = tf.tidy(() => loss().dataSync()[0]!);
    const wordsBefore = trunk.groups[0]!.variables[0]!.dataSync().slice();
    for (let i = 0; i < 15; i++) optimizer.minimize(loss, false, vars);
    const after = tf.tidy(() => loss().dataSync()[0]!);
    expect(after).toBeLessThan(before * 0.5);
    expect(maxAbsDiff(trunk.groups[0]!.variables[0]!.dataSync(), wordsBefore)).toBeGreaterThan(0);
    trunk.dispose();
  });

  it('reinitialize draws BERT initial weights: normal std 0.02, LayerNorm 1 and 0', async () => {
    const trunk = await bertSource.load(bertSourceOptions.parse({ path: dir }), ctx);
    trunk.reinitialize(new Rng(9));
    const byKey = new Map(trunk.weights().map((w) => [w.key, Array.from(w.variable.dataSync())]));
    const words = byKey.get('embeddings.word_embeddings.weight')!;
    const mean = words.reduce((a, b) => a + b, 0) / words.length;
    const std = Math.sqrt(words.reduce((a, b) => a + (b - mean) ** 2, 0) / words.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    expect([...byKey.get('encoder.layer.0.output.LayerNorm.weight')!].every((v) => v === 1)).toBe(true);
    expect([...byKey.get('encoder.layer.0.output.LayerNorm.bias')!].every((v) => v === 0)).toBe(true);
    trunk.dispose();
  });

  it('loads a hub id offline from the transformers.js cache', async () => {
    const saved = { cacheDir: env.cacheDir, localModelPath: env.localModelPath };
    const cache = mkdtempSync(join(tmpdir(), 'graft-hf-cache-'));
    env.cacheDir = cache;
    env.localModelPath = mkdtempSync(join(tmpdir(), 'graft-hf-local-'));
    try {
      mkdirSync(join(cache, 'graft-test'), { recursive: true });
      cpSync(dir, join(cache, 'graft-test', 'tiny-bert'), { recursive: true });
      rmSync(join(cache, 'graft-test', 'tiny-bert', 'model.safetensors'));
      const trunk = await bertSource.load(bertSourceOptions.parse({ model: 'graft-test/tiny-bert' }), ctx);
      const ref = await referenceOutputs(dir);
      expect(maxAbsDiff(trunk.apply({ input_ids: ref.ids, attention_mask: ref.mask }, false).dataSync(), ref.pooler)).toBeLessThan(1e-4);
      trunk.dispose();
      await expect(bertSource.load(bertSourceOptions.parse({ model: 'graft-test/absent' }), ctx)).rejects.toThrow(
        /GRAFT_MODEL_LOAD: Cannot load the model "graft-test\/absent" through transformers\.js at source\.model\..*Remote models are disabled \(env\.allowRemoteModels = false\)/,
      );
    } finally {
      env.cacheDir = saved.cacheDir;
      env.localModelPath = saved.localModelPath;
    }
  });

  it('names a missing file and a tokenizer bigger than the embeddings', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'graft-broken-'));
    cpSync(dir, broken, { recursive: true });
    rmSync(join(broken, 'tokenizer_config.json'));
    await expect(bertSource.load(bertSourceOptions.parse({ path: broken }), ctx)).rejects.toThrow(
      'GRAFT_MODEL_LOAD: The model directory is missing tokenizer_config.json at',
    );
    const other = mkdtempSync(join(tmpdir(), 'graft-other-'));
    await writeTinyBert(other, { vocab: vocabFromTexts([...TEXTS, 'zebras quietly graze']), seed: 1, onnx: false, safetensors: false });
    cpSync(join(other, 'tokenizer.json'), join(dir + '-mixed', 'tokenizer.json'), { recursive: true });
    cpSync(dir, `${dir}-mixed`, { recursive: true, filter: (src) => !src.endsWith('tokenizer.json') });
    await expect(bertSource.load(bertSourceOptions.parse({ path: `${dir}-mixed` }), ctx)).rejects.toThrow(
      /Vocabulary size disagrees: tokenizer\.json has \d+ tokens but config\.json says vocab_size \d+/,
    );
    expect(() => bertSourceOptions.parse({ path: dir, model: 'x/y' })).toThrow(/exactly one of `path` or `model`/);
  });

  it('`weights: onnx` reads ONNX or fails; it never falls back to safetensors', async () => {
    const noOnnx = mkdtempSync(join(tmpdir(), 'graft-no-onnx-'));
    cpSync(dir, noOnnx, { recursive: true });
    rmSync(join(noOnnx, 'onnx'), { recursive: true });
    await expect(bertSource.load(bertSourceOptions.parse({ path: noOnnx, weights: 'onnx' }), ctx)).rejects.toThrow(
      /GRAFT_MODEL_LOAD: `weights: onnx` asks for onnx\/model\.onnx, which the model directory does not have/,
    );
    const fallback = await bertSource.load(bertSourceOptions.parse({ path: noOnnx }), ctx);
    fallback.dispose();
  });

  it('`init: random` builds the same architecture with fresh BERT-initialised weights, reading none', async () => {
    const configOnly = mkdtempSync(join(tmpdir(), 'graft-bert-random-'));
    cpSync(dir, configOnly, { recursive: true });
    rmSync(join(configOnly, 'onnx'), { recursive: true });
    rmSync(join(configOnly, 'model.safetensors'));
    const pretrained = await bertSource.load(bertSourceOptions.parse({ path: dir }), ctx);
    const random = await bertSource.load(bertSourceOptions.parse({ path: configOnly, init: 'random' }), ctx);
    expect(random.weights().map((w) => [w.key, w.variable.shape])).toEqual(pretrained.weights().map((w) => [w.key, w.variable.shape]));
    const query = (t: typeof random) => t.weights().find((w) => w.key === 'encoder.layer.0.attention.self.query.weight')!.variable.dataSync();
    const values = Array.from(query(random));
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.004); // 1024 draws of normal(0, 0.02)
    expect(values).not.toEqual(Array.from(query(pretrained)));
    pretrained.dispose();
    random.dispose();
  });
});

afterAll(() => {
  tf.disposeVariables();
});

describe('BertTrunk.split', () => {
  for (const pooling of ['cls', 'mean'] as const) {
    it(`prefix then suffix equals apply at every boundary (${pooling})`, async () => {
      const ref = await referenceOutputs(dir);
      const trunk = await bertSource.load(bertSourceOptions.parse({ path: dir, pooling }), ctx);
      const inputs = { input_ids: ref.ids, attention_mask: ref.mask };
      const whole = trunk.apply(inputs, false).dataSync();
      expect(trunk.split(0)).toBeUndefined();
      expect(trunk.split(4)).toBeUndefined();
      for (const b of [1, 2, 3]) {
        const split = trunk.split(b)!;
        const act = split.prefix(inputs);
        expect(act.shape).toEqual([4, ref.t, 33]);
        expect(maxAbsDiff(split.suffix(act, false).dataSync(), whole), `boundary ${b}`).toBeLessThan(1e-5);
      }
      trunk.dispose();
    });
  }
});
