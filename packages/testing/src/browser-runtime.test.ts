import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBrowserRuntime, decodeRun, GraftError, memoryFileStore } from '@graft/core/browser';
import strategies from '@graft/strategies';
import { testingPlugin } from './plugin.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = (dir: string) => ({
  backend: 'cpu',
  seed: 3,
  source: { use: 'testing/tiny-conv', seed: 1 },
  tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 48, test: 24 } }],
  stages: [{ use: 'fine-tune', epochs: 4, lr: 0.01, batchSize: 8 }],
  output: { dir },
});

describe('createBrowserRuntime', () => {
  it('trains with its artifacts in memory: the loss falls, and metrics and a checkpoint land in the store, not on disk', async () => {
    const artifacts = memoryFileStore();
    const runtime = createBrowserRuntime({ plugins: [strategies, testingPlugin], environment: { artifacts } });
    const dir = `/graft-browser-test-${Date.now()}`;
    const result = await (await runtime.load(config(dir))).train();
    const losses = result.history.map((h) => h.loss);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    expect(artifacts.paths()).toEqual([`${dir}/checkpoint.graft`, `${dir}/metrics.jsonl`]);
    expect(existsSync(dir)).toBe(false);
    const metrics = new TextDecoder().decode(await artifacts.read(`${dir}/metrics.jsonl`)).trim().split('\n');
    expect(metrics.map((l) => JSON.parse(l).type)).toEqual(['epoch', 'epoch', 'epoch', 'epoch', 'final']);
    const state = decodeRun((await artifacts.read(`${dir}/checkpoint.graft`))!, 'checkpoint.graft');
    expect(state.position).toEqual({ stage: 0, epoch: 3, stageDone: true });
  });

  it('refuses a config path and names plugins to pass instead of import', async () => {
    const runtime = createBrowserRuntime({ plugins: [strategies, testingPlugin] });
    const error = await runtime.load('graft.config.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('GRAFT_INVALID_ARGUMENT');
    const plugins = await runtime.load({ ...config('/x'), plugins: ['./my-plugin.js'] }).catch((e: unknown) => e);
    expect((plugins as GraftError).code).toBe('GRAFT_PLUGIN_LOAD');
  });
});

describe('memoryFileStore', () => {
  it('keeps files under folders, appends, lists, removes trees and refuses a second lock', async () => {
    const store = memoryFileStore(() => 5);
    await store.write('/a/b/c.txt', 'hi');
    await store.append('/a/b/c.txt', ' there');
    await store.append('/a/log', 'x');
    expect(new TextDecoder().decode(await store.read('/a/./b/../b/c.txt'))).toBe('hi there');
    expect(await store.list('/a')).toEqual(['b', 'log']);
    expect(await store.stat('/a/b')).toEqual({ kind: 'directory', size: 0, modified: 5 });
    expect(await store.stat('/a/b/c.txt')).toEqual({ kind: 'file', size: 8, modified: 5 });
    await expect(store.read('/a/b/c.txt', { maxBytes: 3 })).rejects.toMatchObject({ code: 'GRAFT_DATA_INVALID' });
    const lock = await store.lock('/a');
    await expect(store.lock('/a')).rejects.toMatchObject({ code: 'GRAFT_RUN_LOCKED' });
    await lock.release();
    await (await store.lock('/a')).release();
    await store.remove('/a/b');
    expect(await store.read('/a/b/c.txt')).toBeUndefined();
    expect(await store.list('/a')).toEqual(['log']);
    expect(store.resolve('/runs/x', '../y', 'z')).toBe('/runs/y/z');
  });
});
