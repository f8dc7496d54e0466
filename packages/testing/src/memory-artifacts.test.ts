import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, definePlugin, memoryFileStore } from '@graft/core/internal';
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
  output: { dir, checkpoint: false },
});

describe('an in-memory artifact store', () => {
  it('receives a run’s metrics when a plugin provides it, and nothing touches the disk', async () => {
    const store = memoryFileStore();
    const memoryArtifacts = definePlugin({
      meta: { name: 'test/memory-artifacts', version: '1.0.0', graft: '*' },
      providers: [{ name: 'test/memory', description: 'runs write into memory', service: 'artifacts', create: () => store }],
    });
    const runtime = createRuntime({ plugins: [strategies, testingPlugin, memoryArtifacts] });
    const dir = `/graft-memory-run-${process.pid}`;
    const result = await runtime.load(config(dir)).then((run) => run.train());

    const losses = result.history.map((h) => h.loss);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    expect(store.paths()).toEqual([`${dir}/metrics.jsonl`]);
    const lines = new TextDecoder().decode(await store.read(`${dir}/metrics.jsonl`)).trim().split('\n').map((l) => JSON.parse(l) as { type: string; loss?: number });
    expect(lines.map((l) => l.type)).toEqual(['epoch', 'epoch', 'epoch', 'epoch', 'final']);
    expect(lines[3]!.loss).toBeCloseTo(losses[3]!, 6);
    expect(existsSync(dir)).toBe(false);
  }, 60_000);
});
