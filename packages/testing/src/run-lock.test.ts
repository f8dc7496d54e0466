import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, silentLogger } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { testingPlugin } from './plugin.js';

const runtime = createRuntime({ plugins: [strategies, testingPlugin] });

const config = (dir: string) => ({
  backend: 'cpu',
  seed: 3,
  source: { use: 'testing/tiny-conv', seed: 1 },
  tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 32, test: 16 } }],
  stages: [{ use: 'linear-probe', epochs: 2, lr: 0.01, batchSize: 16 }],
  output: { dir },
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the run folder lock', () => {
  it('refuses a second run on the same folder while the first trains (GRAFT_RUN_LOCKED), and is gone afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-lock-'));
    let second: unknown;
    await (await runtime.load(config(dir))).train({
      callbacks: {
        onEpochEnd: async (e) => {
          if (e.epoch === 0) second = await (await runtime.load(config(dir))).train().catch((error: unknown) => error);
        },
      },
    });
    expect(String(second)).toMatch(/GRAFT_RUN_LOCKED: Another Graft process \(pid \d+, since .*\) is writing to /);
    expect(existsSync(join(dir, '.graft.lock'))).toBe(false);
  });

  it('takes over the lock of a dead process, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-lock-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, '.graft.lock'), JSON.stringify({ pid: dead, host: hostname(), token: 'x', since: '2026-01-01T00:00:00.000Z' }));
    const warnings: string[] = [];
    const run = await runtime.load(config(dir));
    const result = await run.train({ log: { ...silentLogger, warn: (m: string) => warnings.push(m) } });
    expect(result.history).toHaveLength(2);
    expect(warnings.some((w) => w.includes(`Took over the lock of ${dir} from pid ${dead}`))).toBe(true);
    expect(existsSync(join(dir, '.graft.lock'))).toBe(false);
  });
});
