import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizerSchema } from '../config/stage-options.js';
import { Optimizer, type UpdatePath } from './optimizer.js';

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

  /** Three variables with their own rates trained for `steps` steps on a fixed quadratic; their final values. */
  function train(options: unknown, path: UpdatePath, steps = 40): number[][] {
    const optimizer = new Optimizer(optimizerSchema.parse(options), path);
    const targets = [tf.tensor2d([[1, -2], [0.5, 3]]), tf.tensor1d([-0.7, 0.2, 4]), tf.scalar(-1.5)];
    const vars = [tf.variable(tf.tensor2d([[0.3, 0.1], [-0.4, 2]])), tf.variable(tf.tensor1d([1, -1, 0.5])), tf.variable(tf.scalar(2))];
    const rates = [0.05, 0.01, 0.002];
    for (let i = 0; i < steps; i++) {
      const { grads } = tf.variableGrads(() => tf.addN(vars.map((v, j) => tf.sum(tf.square(tf.sub(v, targets[j]!))))) as tf.Scalar, vars);
      optimizer.apply(vars.map((v, j) => ({ key: `v${j}`, variable: v, grad: grads[v.name]!, lr: rates[j]! })));
      tf.dispose(Object.values(grads));
    }
    const out = vars.map((v) => Array.from(v.dataSync()));
    optimizer.dispose();
    tf.dispose([...vars, ...targets]);
    return out;
  }

  const settings = [
    'sgd',
    { name: 'sgd', weightDecay: 0.05 },
    { name: 'momentum', momentum: 0.9, weightDecay: 0.01 },
    'adam',
    { name: 'adam', weightDecay: 0.02 },
    { name: 'adamw', weightDecay: 0.1 },
  ];

  it('fused updates (one pass per variable, no kernels) match the kernel path within 1e-4 relative after 40 steps', () => {
    for (const options of settings) {
      const fused = train(options, 'fused');
      const kernels = train(options, 'kernels');
      fused.flat().forEach((v, i) => {
        const ref = kernels.flat()[i]!;
        expect(Math.abs(v - ref), JSON.stringify(options)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(ref), 1e-2));
      });
      // The fused path moved the weights: it is not a no-op matching an unchanged start.
      expect(fused[2]![0]!, JSON.stringify(options)).not.toBeCloseTo(2, 2);
    }
  });

  it('without a registered update kernel, fused updates launch no kernels and are deterministic', () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.25, 1]));
    const g = tf.tensor1d([0.1, -0.3, 0.2]);
    const optimizer = new Optimizer(optimizerSchema.parse('adamw'), 'fused');
    optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]); // creates the slots (zerosLike kernels)
    const profile = tf.tidy(() => {
      let kernels = 0;
      const engine = tf.engine();
      const run = engine.runKernel.bind(engine);
      engine.runKernel = ((...a: Parameters<typeof run>) => {
        kernels++;
        return run(...a);
      }) as typeof engine.runKernel;
      try {
        optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]);
      } finally {
        engine.runKernel = run;
      }
      return kernels;
    });
    expect(profile).toBe(0);
    for (const options of settings) expect(train(options, 'fused', 15)).toEqual(train(options, 'fused', 15));
  });

  it('takes the fused path by default on cpu (no kernel registered here), the kernel path when asked', () => {
    const kernelsPerStep = (optimizer: Optimizer): number => {
      const w = tf.variable(tf.tensor1d([0.5, -0.25, 1]));
      const g = tf.tensor1d([0.1, -0.3, 0.2]);
      optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]); // creates the slots
      const engine = tf.engine();
      const run = engine.runKernel.bind(engine);
      let kernels = 0;
      engine.runKernel = ((...a: Parameters<typeof run>) => {
        kernels++;
        return run(...a);
      }) as typeof engine.runKernel;
      try {
        tf.tidy(() => optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]));
      } finally {
        engine.runKernel = run;
      }
      optimizer.dispose();
      tf.dispose([w, g]);
      return kernels;
    };
    expect(kernelsPerStep(new Optimizer(optimizerSchema.parse('adam')))).toBe(0);
    expect(kernelsPerStep(new Optimizer(optimizerSchema.parse('adam'), 'kernels'))).toBeGreaterThan(5);
  });

  it('a snapshot is not changed by later fused steps', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = new Optimizer(optimizerSchema.parse('momentum'), 'fused');
    optimizer.apply([{ key: 'w', variable: w, grad: tf.tensor1d([0.5, -0.5]), lr: 0.1 }]);
    const snap = optimizer.snapshot();
    const before = Array.from(snap.w!.slots.velocity!.dataSync());
    optimizer.apply([{ key: 'w', variable: w, grad: tf.tensor1d([0.5, -0.5]), lr: 0.1 }]);
    expect(Array.from(snap.w!.slots.velocity!.dataSync())).toEqual(before);
    expect(Array.from(optimizer.snapshot().w!.slots.velocity!.dataSync())).not.toEqual(before);
  });
});
