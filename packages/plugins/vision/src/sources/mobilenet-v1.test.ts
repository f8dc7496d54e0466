import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { GraftError, nodeEnvironment, silentLogger, type SourceContext, type Trunk } from '@graft/core/internal';
import { loadLayersModelFrom } from '../io/load-model.js';
import { imagenetPreprocess } from '../preprocess.js';
import { findDebianFile } from '../data/debian.js';
import { mobilenetV1, mobilenetV1Url } from './mobilenet-v1.js';

// The real ImageNet MobileNet v1 0.25 (shared/ beside the repository), read through the mirror. Missing assets:
// the tests that need them skip, except in CI (CI=1) where they fail.
const MIRROR = new URL('../../../../../../shared/models', import.meta.url).pathname;
const hasModel = existsSync(`${MIRROR}/mobilenet_v1_0.25_224/model.json`);
const dogJpg = findDebianFile('darknet', 'usr/share/darknet/data/dog.jpg');
// MobileNet sources load no other source, so loadSource is never called.
const ctx: SourceContext = { configDir: process.cwd(), seed: 1, log: silentLogger, env: nodeEnvironment(), where: 'source', loadSource: () => Promise.reject(new Error('unused')) };

if (!hasModel) console.warn(`Skipping the real MobileNet tests: no ${MIRROR}/mobilenet_v1_0.25_224 (shared/models beside the repository).`);
if (!dogJpg) console.warn('Skipping the dog photo test: run packages/plugins/vision/scripts/fetch-test-assets.sh to unpack darknet\'s data/dog.jpg.');

describe('vision/mobilenet-v1', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('builds the published URL for each width and size', () => {
    expect(mobilenetV1Url(0.25, 224)).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json');
    expect(mobilenetV1Url(0.5, 128)).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.50_128/model.json');
    expect(mobilenetV1Url(1, 160)).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_160/model.json');
    expect(mobilenetV1.options.safeParse({ alpha: 0.3 }).success).toBe(false);
    expect(mobilenetV1.options.parse({})).toEqual({ alpha: 0.25, size: 224, cut: 'conv_pw_13_relu' });
  });

  describe.skipIf(!hasModel && !process.env.CI)('on the real ImageNet weights', () => {
    let trunk: Trunk;
    beforeAll(async () => {
      trunk = await mobilenetV1.load(mobilenetV1.options.parse({ inputSize: 96, mirror: MIRROR }), ctx);
    });

    it('has a stem and 13 depthwise-separable blocks holding every trainable weight', () => {
      expect(trunk.groups.map((g) => g.name)).toEqual(['stem', ...Array.from({ length: 13 }, (_, i) => `block${i + 1}`)]);
      // stem: conv1 kernel + BN γ, β; each block: dw kernel, BN γ, β, pw kernel, BN γ, β.
      expect(trunk.groups.map((g) => g.variables.length)).toEqual([3, ...Array(13).fill(6)]);
      expect(trunk.groups.every((g) => g.setNormInference !== undefined)).toBe(true);
      expect(trunk.featureSize).toBe(256);
      expect(trunk.inputNames).toEqual(['image']);
      // Trainable weights + BN moving mean/variance: 3 + 2 in the stem, 6 + 4 per block.
      expect(trunk.weights()).toHaveLength(5 + 13 * 10);
    });

    it('turns 28×28 grey images into 256-d features at 96×96', () => {
      const raw = tf.randomUniform([2, 28, 28, 1], 0, 255, 'float32', 3);
      const features = tf.tidy(() => trunk.apply(trunk.preprocess({ image: raw }), false));
      expect(features.shape).toEqual([2, 256]);
      // ReLU features, pooled: non-negative and not all zero.
      expect(features.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(features.max().dataSync()[0]).toBeGreaterThan(0);
    });

    it('loads the same model from a mirror server on loopback (GRAFT_MIRROR as a base URL) into a fresh cache', async () => {
      const requests: string[] = [];
      const server = createServer((req, res) => {
        requests.push(req.url!);
        readFile(join(MIRROR, decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/+/, ''))).then(
          (body) => res.end(body),
          () => res.writeHead(404).end(),
        );
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const cache = mkdtempSync(join(tmpdir(), 'graft-mobilenet-cache-'));
      vi.stubEnv('GRAFT_CACHE', cache);
      vi.stubEnv('GRAFT_MIRROR', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      vi.stubEnv('GRAFT_MODEL_MIRROR', '');
      try {
        const served = await mobilenetV1.load(mobilenetV1.options.parse({ inputSize: 96 }), ctx);
        expect(requests).toContain('/mobilenet_v1_0.25_224/model.json');
        expect(requests.filter((r) => r.includes('-shard')).length).toBeGreaterThan(0);
        expect(existsSync(join(cache, 'models', 'storage.googleapis.com', 'tfjs-models', 'tfjs', 'mobilenet_v1_0.25_224', 'model.json'))).toBe(true);
        const raw = tf.randomUniform([2, 28, 28, 1], 0, 255, 'float32', 5);
        const [a, b] = tf.tidy(() => [trunk.apply(trunk.preprocess({ image: raw }), false), served.apply(served.preprocess({ image: raw }), false)]);
        expect(Array.from(b!.dataSync())).toEqual(Array.from(a!.dataSync()));
        requests.length = 0;
        await mobilenetV1.load(mobilenetV1.options.parse({ inputSize: 96 }), ctx); // now from the cache
        expect(requests).toEqual([]);
      } finally {
        vi.unstubAllEnvs();
        await new Promise<void>((ok) => server.close(() => ok()));
      }
    });

    it('refuses an unknown cut layer with a suggestion', async () => {
      const e = await mobilenetV1.load(mobilenetV1.options.parse({ cut: 'conv_pw_13_rel', mirror: MIRROR }), ctx).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GraftError);
      expect((e as GraftError).message).toBe(
        'GRAFT_INVALID_ARGUMENT: The model has no layer "conv_pw_13_rel" (the feature layer named by `cut`) at source.cut. Did you mean "conv_pw_13_relu"?',
      );
    });

    it.skipIf(!dogJpg && !process.env.CI)('classifies darknet\'s dog.jpg as a dog breed, through the trunk as through the whole model', async () => {
      const { data, info } = await sharp(dogJpg!).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const image = tf.tensor4d(new Float32Array(data), [1, info.height, info.width, 3]);
      const { model: classifier } = await loadLayersModelFrom(mobilenetV1Url(0.25, 224), { mirror: MIRROR });
      const probs = tf.tidy(() => classifier.predict(imagenetPreprocess(224)(image)) as tf.Tensor2D);
      const top1 = probs.argMax(1).dataSync()[0]!;
      console.info(`dog.jpg top-1: ImageNet class ${top1}, p = ${probs.max().dataSync()[0]!.toFixed(3)}`);
      expect(top1).toBeGreaterThanOrEqual(151); // 151–268 are the dog breeds
      expect(top1).toBeLessThanOrEqual(268);

      // The trunk at 224 (pooled conv_pw_13_relu) followed by the published 1×1 conv classifier agrees.
      const full = await mobilenetV1.load(mobilenetV1.options.parse({ mirror: MIRROR }), ctx);
      const [kernel, bias] = classifier.getLayer('conv_preds').getWeights() as [tf.Tensor4D, tf.Tensor1D];
      const viaTrunk = tf.tidy(() => {
        const features = full.apply(full.preprocess({ image }), false);
        return tf.softmax(tf.add(tf.matMul(features, tf.reshape(kernel, [256, 1000])), bias));
      });
      expect(viaTrunk.argMax(1).dataSync()[0]).toBe(top1);
      expect(tf.max(tf.abs(tf.sub(viaTrunk, probs))).dataSync()[0]).toBeLessThan(1e-5);
    });
  });
});
