import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng, type TargetInfo, type TaskType } from '@graft/core';

/** Options of {@link taskTypeContract}. */
export interface TaskTypeContractOptions {
  /**
   * A label column this task type accepts.
   * @default the first of three classes or two real values that `checkTarget` accepts
   */
  info?: TargetInfo;
}

const CANDIDATES: TargetInfo[] = [
  { kind: 'classes', classes: ['a', 'b', 'c'] },
  { kind: 'values', dims: 2 },
];

/** Labels for `n` samples of `info`: class indices, or real values (standardised, as the loop hands them). */
function labels(info: TargetInfo, n: number, rng: Rng): Float32Array | Int32Array {
  if (info.kind === 'classes') return Int32Array.from({ length: n }, (_, i) => i % info.classes.length);
  return Float32Array.from({ length: n * info.dims }, () => rng.next() * 2 - 1);
}

/**
 * What every task type must satisfy. All: a name, a description, a primary metric. A task scored on
 * its head's outputs: it accepts a label column and rejects another kind with a message; its head size
 * is a positive integer; its loss is finite and non-negative, 0 on a batch with no labels, ignores
 * unlabelled samples, and falls under a few gradient steps on the outputs; `evaluate` reports the
 * primary metric as a finite number, better for the trained outputs than for the first ones; a
 * prediction is JSON. A self-supervised (pretext) task instead builds its own head (`pretext.createHead`).
 */
export function taskTypeContract(task: TaskType, contract: TaskTypeContractOptions = {}): void {
  describe(`task type contract: ${task.name}`, () => {
    it('has a name, a description and a primary metric', () => {
      expect(task.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(task.description.length).toBeGreaterThan(10);
      expect(task.primaryMetric.name.length).toBeGreaterThan(0);
      expect(typeof task.primaryMetric.higherIsBetter).toBe('boolean');
      if (task.pretext) expect(typeof task.pretext.createHead).toBe('function');
    });

    if (task.pretext) return;
    const info = () => contract.info ?? CANDIDATES.find((c) => task.checkTarget(c) === undefined);

    it('accepts a label column of its kind and says why it rejects another', () => {
      const accepted = info();
      expect(accepted, 'a label column checkTarget accepts').toBeDefined();
      expect(task.checkTarget(accepted!)).toBeUndefined();
      const size = task.headSize(accepted!);
      expect(Number.isInteger(size) && size > 0, `headSize ${size}`).toBe(true);
      for (const other of CANDIDATES.filter((c) => c.kind !== accepted!.kind)) {
        const message = task.checkTarget(other);
        if (message !== undefined) expect(message.length).toBeGreaterThan(10);
      }
    });

    it('has a finite loss that skips unlabelled samples and falls under gradient steps; evaluate and predictions agree', async () => {
      const target = info()!;
      const n = 12;
      const rng = new Rng(3);
      const size = task.headSize(target);
      const y = labels(target, n, rng);
      const shape = target.kind === 'classes' ? [n] : [n, target.dims];
      const yt = target.kind === 'classes' ? tf.tensor(y, shape, 'int32') : tf.tensor(y, shape, 'float32');
      const output = tf.variable(tf.tensor2d(Float32Array.from({ length: n * size }, () => rng.next() - 0.5), [n, size]));
      const all = tf.ones([n]) as tf.Tensor1D;
      const none = tf.zeros([n]) as tf.Tensor1D;
      const half = tf.tensor1d(Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : 0)));
      try {
        const lossOf = (mask: tf.Tensor1D) => tf.tidy(() => task.loss(output as tf.Tensor2D, yt, mask).dataSync()[0]!);
        const first = lossOf(all);
        expect(Number.isFinite(first) && first >= 0, `loss ${first}`).toBe(true);
        expect(lossOf(none)).toBe(0);
        // Unlabelled samples do not count: changing their outputs leaves the masked loss as it was.
        const masked = lossOf(half);
        const before = tf.clone(output);
        output.assign(tf.tidy(() => tf.concat([output.slice([0, 0], [n / 2, size]), tf.fill([n / 2, size], 3)])));
        expect(lossOf(half)).toBeCloseTo(masked, 5);
        output.assign(before);
        before.dispose();

        const optimizer = tf.train.sgd(0.5);
        const initial = Float32Array.from(output.dataSync());
        for (let step = 0; step < 20; step++) optimizer.minimize(() => task.loss(output as tf.Tensor2D, yt, all), false, [output]);
        optimizer.dispose();
        const last = lossOf(all);
        expect(last, `loss ${first} → ${last} after 20 steps`).toBeLessThan(first * 0.8);

        const metric = (values: Float32Array) => task.evaluate(values, size, y, target)[task.primaryMetric.name];
        const start = metric(initial);
        const end = metric(Float32Array.from(output.dataSync()));
        expect(typeof start === 'number' && Number.isFinite(start)).toBe(true);
        expect(typeof end === 'number' && Number.isFinite(end)).toBe(true);
        if (task.primaryMetric.higherIsBetter) expect(end as number).toBeGreaterThanOrEqual(start as number);
        else expect(end as number).toBeLessThanOrEqual(start as number);

        const prediction = task.describePrediction(Float32Array.from(output.dataSync().subarray(0, size)), target);
        expect(JSON.parse(JSON.stringify(prediction))).toEqual(prediction);
      } finally {
        tf.dispose([output, yt, all, none, half]);
      }
    });
  });
}
