import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { combineOnce as combine, createGradientMethod as create } from './test-support.js';
import { gradnorm } from './gradnorm.js';

describe('gradnorm', () => {
  it('lowers the weight of the task with the larger gradient norm when both train at the same rate (hand-computed)', async () => {
    const m = create(gradnorm, 2, { lr: 0.025 });
    // First step: weights (1, 1) are applied as they are.
    expect(await combine(m, [[10, 0], [0, 1]], [2, 3])).toEqual([10, 1]);
    // G = (10, 1), Ḡ = 5.5, r = (1, 1) → targets 5.5: w1 ← 1 − 0.025·10 = 0.75, w2 ← 1 + 0.025·1 = 1.025,
    // renormalised to sum 2: (0.75, 1.025)·2/1.775.
    const [w1, w2] = await m.currentWeights();
    expect(w1).toBeCloseTo(1.5 / 1.775, 6);
    expect(w2).toBeCloseTo(2.05 / 1.775, 6);
    // The next step applies them.
    const out = await combine(m, [[10, 0], [0, 1]], [2, 3]);
    expect(out[0]).toBeCloseTo(10 * (1.5 / 1.775), 4);
    expect(out[1]).toBeCloseTo(2.05 / 1.775, 5);
  });

  it('raises the weight of the task whose loss falls more slowly (α > 0)', async () => {
    const m = create(gradnorm, 2, { lr: 0.025, alpha: 1.5 });
    await combine(m, [[1, 0], [0, 1]], [1, 1]); // equal norms and rates: no change
    expect(await m.currentWeights()).toEqual([1, 1]);
    // Task 0 halved its loss, task 1 did not: r = (2/3, 4/3), targets Ḡ·r^1.5 = (0.544, 1.540) vs G = (1, 1).
    await combine(m, [[1, 0], [0, 1]], [0.5, 1]);
    const [w1, w2] = await m.currentWeights();
    expect(w1).toBeCloseTo(0.975, 6);
    expect(w2).toBeCloseTo(1.025, 6);
  });

  it('keeps the weights summing to the number of tasks and positive', async () => {
    const m = create(gradnorm, 3, { lr: 1 });
    for (let step = 0; step < 20; step++) {
      await combine(m, [[50, 0, 0], [0, 1, 0], [0, 0, 0.01]], [1, 1 + step, 1]);
      const w = await m.currentWeights();
      expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(3, 9);
      for (const x of w) expect(x).toBeGreaterThan(0);
    }
  });

  it('resumes from its state', async () => {
    const a = create(gradnorm, 2);
    await combine(a, [[3, 0], [0, 1]], [1, 2]);
    await combine(a, [[3, 0], [0, 1]], [0.5, 2]);
    const b = create(gradnorm, 2);
    b.restore!(JSON.parse(JSON.stringify(a.state!())));
    expect(await combine(b, [[3, 1], [1, 1]], [0.4, 1.5])).toEqual(await combine(a, [[3, 1], [1, 1]], [0.4, 1.5]));
    expect(await b.currentWeights()).toEqual(await a.currentWeights());
    expect(() => b.restore!({ weights: [1] })).toThrowError(/GRAFT_CHECKPOINT_MISMATCH/);
  });
});

describe('gradnorm with absent tasks (task sampling)', () => {
  it('steps only the present tasks’ weights, keeping their sum, and leaves absent ones as they were', async () => {
    const m = create(gradnorm, 3);
    const grads = [tf.tensor1d([10, 0]), tf.tensor1d([0, 1])];
    const out = await m.combine(grads, [2, 3], { step: 0, epoch: 0, stepsPerEpoch: 1, tasks: [0, 2] });
    expect(Array.from(out.dataSync())).toEqual([10, 1]);
    tf.dispose([out, ...grads]);
    const w = (await m.currentWeights()) as number[];
    expect(w[1]).toBe(1);
    expect(w[0]! + w[2]!).toBeCloseTo(2, 10);
    expect(w[0]).toBeLessThan(1); // the larger gradient norm is pushed down
  });
});
