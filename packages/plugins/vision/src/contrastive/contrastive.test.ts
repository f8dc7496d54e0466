import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRuntime, trainSession } from '@graft/core/internal';
import strategies from '@graft/strategies';
import { beforeAll, describe, expect, it } from 'vitest';
import { visionPlugin } from '../index.js';
import { ntXent } from './nt-xent.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** NT-Xent written out in float64 from the paper's definition (Chen et al. 2020, Eq. 1), loops only. */
function referenceNtXent(z: number[][], temperature: number): number {
  const unit = z.map((row) => {
    const norm = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
    return row.map((x) => x / norm);
  });
  const rows = z.length;
  const n = rows / 2;
  const sim = (i: number, j: number) => unit[i]!.reduce((s, x, k) => s + x * unit[j]![k]!, 0) / temperature;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const positive = (i + n) % rows;
    let denominator = 0;
    for (let k = 0; k < rows; k++) if (k !== i) denominator += Math.exp(sim(i, k));
    total += -Math.log(Math.exp(sim(i, positive)) / denominator);
  }
  return total / rows;
}

describe('ntXent', () => {
  it('matches the paper’s definition computed in float64 within 1e-5 (relative)', () => {
    for (const [rows, dims, temperature] of [[4, 3, 0.5], [16, 8, 0.1], [32, 128, 1]] as const) {
      const z = tf.randomNormal([rows, dims], 0, 1, 'float32', rows) as tf.Tensor2D;
      const ours = ntXent(z, temperature).dataSync()[0]!;
      const ref = referenceNtXent(z.arraySync(), temperature);
      expect(Math.abs(ours - ref) / ref, `${rows}×${dims}, τ ${temperature}`).toBeLessThan(1e-5);
      z.dispose();
    }
  });

  it('is low when each row is closest to its other view, high when the views are far apart', () => {
    const a = tf.randomNormal([8, 16], 0, 1, 'float32', 3) as tf.Tensor2D;
    const aligned = ntXent(tf.concat([a, a]) as tf.Tensor2D, 0.1).dataSync()[0]!;
    const shuffled = ntXent(tf.concat([a, tf.reverse(a, 0)]) as tf.Tensor2D, 0.1).dataSync()[0]!;
    expect(aligned).toBeLessThan(shuffled);
  });
});

describe('contrastive task (SimCLR) in the one loop', () => {
  const runtime = createRuntime({ plugins: [strategies, visionPlugin] });
  const base = (stages: Record<string, unknown>[], data: Record<string, unknown>, type?: string) => ({
    backend: 'cpu',
    seed: 1,
    source: { use: 'vision/small-cnn', filters: [4, 8], inputSize: 8 },
    tasks: [{ name: 'views', ...(type ? { type } : {}), data: { use: 'vision/fashion-mnist', trainSize: 64, testSize: 32, ...data } }],
    stages,
    output: { dir: mkdtempSync(join(tmpdir(), 'graft-simclr-')) },
  });
  const augment = { resizedCrop: { scale: [0.3, 1] }, flip: true, jitter: {} };

  it('pretrains a CNN on unlabelled images: the NT-Xent loss falls', async () => {
    const run = await runtime.load(base([{ use: 'fine-tune', epochs: 8, lr: 0.01, batchSize: 16, bn: 'train' }], { augment }, 'contrastive'));
    const session = await run.open();
    const outcome = await trainSession(session);
    session.dispose();
    const losses = outcome.history.map((h) => h.loss);
    console.log(`contrastive: epoch losses ${losses.map((l) => l.toFixed(3)).join(' ')}; test loss ${JSON.stringify(outcome.final.metrics.views)}`);
    // Chance level: −log(1 / 31) ≈ 3.43 for a batch of 16 images (31 candidates per row).
    expect(losses[0]!).toBeGreaterThan(2.5);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.2);
  });

  it('says what to set when the dataset has no augmentation', async () => {
    const run = await runtime.load(base([{ use: 'fine-tune', epochs: 1 }], {}, 'contrastive'));
    await expect(run.open()).rejects.toThrow(
      'GRAFT_CONFIG_INVALID: The contrastive task "views" has no augmentation to make its two views at tasks[0].data.augment. Set `augment` on the task’s image dataset, e.g. { resizedCrop: { scale: [0.2, 1] }, flip: true, jitter: {} }.',
    );
  });

  it('augments supervised training batches, seeded: same seed same weights, and no feature caching', async () => {
    const stages = [{ use: 'linear-probe', epochs: 2, lr: 0.01, batchSize: 32 }];
    const weights = async (data: Record<string, unknown>) => {
      const session = await (await runtime.load(base(stages, data))).open();
      await trainSession(session);
      const w = session.model.weights().map((v) => Array.from(v.variable.dataSync()));
      session.dispose();
      return w;
    };
    const a = await weights({ augment });
    const b = await weights({ augment });
    const plain = await weights({});
    expect(a).toEqual(b);
    // linear-probe caches the frozen trunk's features unless the data is augmented: had it cached them, the
    // head would have trained on unaugmented features and ended where `plain` did.
    expect(a).not.toEqual(plain);
  });
});
