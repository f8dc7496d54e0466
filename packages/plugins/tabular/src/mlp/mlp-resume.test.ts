import * as tf from '@tensorflow/tfjs';
import { createRuntime, loadCheckpoint, trainSession, type HistoryEntry } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import tabular from '../index.js';

const runtime = createRuntime({ plugins: [strategies, tabular] });

/** A small synthetic table: y = [x0 + x1 > 0], with noise columns. */
function writeCsv(dir: string): string {
  const path = join(dir, 'rows.csv');
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const rows = ['x0,x1,x2,y'];
  for (let i = 0; i < 120; i++) {
    const [a, b, c] = [next(), next(), next()];
    rows.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a + b > 0 ? 'up' : 'down'}`);
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

function config(dir: string, csv: string) {
  return {
    backend: 'cpu',
    seed: 2,
    source: { use: 'tabular/mlp', hidden: [16, 8], dropout: 0.3 },
    tasks: [{ name: 'y', data: { use: 'tabular/csv', path: csv, features: ['x0', 'x1', 'x2'], targets: { y: { kind: 'classes' } }, split: { validation: 0, test: 0.2, seed: 1 } } }],
    stages: [{ use: 'gradual-unfreeze', every: 1, lr: 0.01, batchSize: 16 }, { use: 'fine-tune', epochs: 3, lr: 0.01, batchSize: 16 }],
    output: { dir },
  };
}

async function train(cfg: object, resume = false, interruptAt?: [number, number]) {
  const run = await runtime.load(cfg);
  const session = await run.open();
  try {
    const onEpochEnd = (e: HistoryEntry) => {
      if (interruptAt && e.stage === interruptAt[0] && e.epoch === interruptAt[1]) throw new Error('interrupted');
    };
    const outcome = await trainSession(session, { resume, callbacks: { onEpochEnd } });
    return { outcome, weights: session.model.weights().map((w) => Array.from(w.variable.dataSync())) };
  } finally {
    session.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tabular/mlp with dropout resumes exactly', () => {
  for (const at of [[0, 1], [1, 0]] as [number, number][]) {
    it(`interrupted after stage ${at[0]} epoch ${at[1]}, --resume gives bit-identical weights and metrics`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'graft-mlp-'));
      const csv = writeCsv(dir);
      const straight = await train(config(join(dir, 'a'), csv));
      await expect(train(config(join(dir, 'b'), csv), false, at)).rejects.toThrow('interrupted');
      expect(loadCheckpoint(join(dir, 'b', 'checkpoint.graft')).meta.trunkRng).toBeTypeOf('number');
      const resumed = await train(config(join(dir, 'b'), csv), true);
      expect(resumed.weights).toEqual(straight.weights);
      expect(resumed.outcome.history.map((h) => h.loss)).toEqual(straight.outcome.history.map((h) => h.loss));
      expect(resumed.outcome.final).toEqual(straight.outcome.final);
    });
  }
});
