import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizerSchema } from '../config/stage-options.js';
import { Optimizer } from './optimizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Run `steps` updates of f(w) = Σ (w ⊙ c − t)² with ours and with a tfjs optimizer; return both results. */
function race(name: 'sgd' | 'momentum' | 'adam', reference: tf.Optimizer, steps = 6, lr = 0.05) {
  const c = tf.tensor1d([0.5, -2, 3, 1.5]);
  const t = tf.tensor1d([1, 2, -1, 0.25]);
  const loss = (w: tf.Variable) => tf.sum(tf.square(tf.sub(tf.mul(w, c), t))) as tf.Scalar;
  const ours = tf.variable(tf.tensor1d([0.1, 0.2, -0.3, 0.4]));
  const theirs = tf.variable(tf.tensor1d([0.1, 0.2, -0.3, 0.4]));
  const optimizer = new Optimizer(optimizerSchema.parse({ name, momentum: 0.9 }));
  for (let i = 0; i < steps; i++) {
    const { grads } = tf.variableGrads(() => loss(ours), [ours]);
    optimizer.apply([{ key: 'w', variable: ours, grad: grads[ours.name]!, lr }]);
    reference.minimize(() => loss(theirs), false, [theirs]);
  }
  return { ours: Array.from(ours.dataSync()), theirs: Array.from(theirs.dataSync()), optimizer };
}

describe('Optimizer', () => {
  it('matches tfjs sgd, momentum and adam step for step (within 1e-5: tfjs keeps β^t as a float32 product)', () => {
    for (const [name, reference] of [
      ['sgd', tf.train.sgd(0.05)],
      ['momentum', tf.train.momentum(0.05, 0.9)],
      ['adam', tf.train.adam(0.05, 0.9, 0.999, 1e-7)],
    ] as const) {
      const { ours, theirs } = race(name, reference);
      ours.forEach((v, i) => expect(Math.abs(v - theirs[i]!), name).toBeLessThan(1e-5));
    }
  });

  it('applies decoupled weight decay for adamw: a zero gradient still shrinks the weights by lr·wd', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const optimizer = new Optimizer(optimizerSchema.parse({ name: 'adamw', weightDecay: 0.1 }));
    optimizer.apply([{ key: 'w', variable: w, grad: tf.zeros([2]), lr: 0.5 }]);
    expect(Array.from(w.dataSync())).toEqual([1 - 0.5 * 0.1 * 1, -2 + 0.5 * 0.1 * 2].map((v) => Math.fround(v)));
  });

  it('snapshots and restores its state so that later steps are identical', () => {
    const step = (opt: Optimizer, w: tf.Variable) => opt.apply([{ key: 'w', variable: w, grad: tf.tensor1d([0.3, -0.1]), lr: 0.1 }]);
    const a = new Optimizer(optimizerSchema.parse('adam'));
    const wa = tf.variable(tf.tensor1d([1, 1]));
    step(a, wa);
    const b = new Optimizer(optimizerSchema.parse('adam'));
    const wb = tf.variable(wa.clone());
    b.restore(a.snapshot());
    step(a, wa);
    step(b, wb);
    expect(Array.from(wb.dataSync())).toEqual(Array.from(wa.dataSync()));
  });
});
