import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCpuKernels } from '../backends/cpu-kernels.js';
import { optimizerSchema } from '../config/stage-options.js';
import { Optimizer, type UpdatePath } from './optimizer.js';
import { OPTIMIZER_UPDATE } from './optimizer-update.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings = [
  'sgd',
  { name: 'sgd', weightDecay: 0.05 },
  { name: 'momentum', momentum: 0.9, weightDecay: 0.01 },
  'adam',
  { name: 'adam', weightDecay: 0.02 },
  { name: 'adamw', weightDecay: 0.1 },
];

/** Sets whether the cpu backend has the optimizer kernel; returns whether it had it. */
function withCpuKernel(on: boolean): boolean {
  const had = tf.getKernel(OPTIMIZER_UPDATE, 'cpu') !== undefined;
  if (on) registerCpuKernels();
  else if (had) tf.unregisterKernel(OPTIMIZER_UPDATE, 'cpu');
  return had;
}

/**
 * Variables of odd sizes (7, 3×3, a scalar) with their own rates, trained `steps` steps on a quadratic
 * with targets far from the start (so the updates stay large); their final values, and the kernels run.
 */
function train(options: unknown, path: UpdatePath, steps = 40): { values: number[]; kernels: string[] } {
  const optimizer = new Optimizer(optimizerSchema.parse(options), path);
  const shapes = [[7], [3, 3], []];
  const targets = shapes.map((s, j) => tf.tensor(Array.from({ length: tf.util.sizeFromShape(s) }, (_, i) => Math.sin(i + j) * 3), s));
  const vars = shapes.map((s, j) => tf.variable(tf.tensor(Array.from({ length: tf.util.sizeFromShape(s) }, (_, i) => Math.cos(i * 2 + j)), s)));
  const rates = [0.05, 0.01, 0.002];
  const kernels: string[] = [];
  const engine = tf.engine();
  const run = engine.runKernel.bind(engine);
  for (let i = 0; i < steps; i++) {
    const { grads } = tf.variableGrads(() => tf.addN(vars.map((v, j) => tf.sum(tf.square(tf.sub(v, targets[j]!))))) as tf.Scalar, vars);
    engine.runKernel = ((name: string, ...rest: unknown[]) => {
      kernels.push(name);
      return (run as (...a: unknown[]) => unknown)(name, ...rest);
    }) as typeof engine.runKernel;
    try {
      optimizer.apply(vars.map((v, j) => ({ key: `v${j}`, variable: v, grad: grads[v.name]!, lr: rates[j]! })));
    } finally {
      engine.runKernel = run;
    }
    tf.dispose(Object.values(grads));
  }
  const values = vars.flatMap((v) => Array.from(v.dataSync()));
  optimizer.dispose();
  tf.dispose([...vars, ...targets]);
  return { values, kernels };
}

describe('GraftOptimizerUpdate on cpu', () => {
  let had: boolean;
  beforeAll(() => {
    had = withCpuKernel(true);
  });
  afterAll(() => {
    withCpuKernel(had);
  });

  it('gives the JavaScript loop’s results bit for bit, in one kernel call per variable and step', () => {
    for (const options of settings) {
      const kernel = train(options, 'fused');
      withCpuKernel(false);
      const loop = train(options, 'fused');
      withCpuKernel(true);
      expect(kernel.values, JSON.stringify(options)).toEqual(loop.values);
      expect(loop.kernels.filter((k) => k === OPTIMIZER_UPDATE)).toHaveLength(0);
      // Slots are created by zerosLike in the first step; afterwards, only the update kernel runs.
      expect(kernel.kernels.filter((k) => k === OPTIMIZER_UPDATE), JSON.stringify(options)).toHaveLength(3 * 40);
      expect(kernel.kernels.slice(-3), JSON.stringify(options)).toEqual([OPTIMIZER_UPDATE, OPTIMIZER_UPDATE, OPTIMIZER_UPDATE]);
    }
  });

  it('matches the elementwise-kernel path within 1e-4 relative after 40 steps, and is deterministic', () => {
    for (const options of settings) {
      const kernel = train(options, 'auto');
      const reference = train(options, 'kernels');
      kernel.values.forEach((v, i) => {
        const ref = reference.values[i]!;
        expect(Math.abs(v - ref), JSON.stringify(options)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(ref), 1e-2));
      });
      expect(kernel.kernels).toContain(OPTIMIZER_UPDATE);
      // It moved the weights (the scalar starts at cos(2)).
      expect(kernel.values[kernel.values.length - 1]).not.toBeCloseTo(Math.cos(2), 2);
      expect(train(options, 'auto').values).toEqual(kernel.values);
    }
  });

  it('writes new tensors: a clone of the variable and a snapshot taken before a step keep their values; nothing leaks', () => {
    for (const name of ['sgd', 'momentum', 'adamw']) {
      const w = tf.variable(tf.tensor1d([1, 2, 3, 4, 5]));
      const g = tf.tensor1d([0.5, -0.5, 0.25, 1, -2]);
      const optimizer = new Optimizer(optimizerSchema.parse(name), 'fused');
      optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]);
      const clone = w.clone();
      const snap = optimizer.snapshot();
      const before = Array.from(w.dataSync());
      const slotsBefore = Object.values(snap.w!.slots).map((t) => Array.from(t.dataSync()));
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]);
      expect(tf.memory().numTensors, name).toBe(tensors);
      expect(Array.from(w.dataSync()), name).not.toEqual(before);
      expect(Array.from(clone.dataSync()), name).toEqual(before);
      expect(Object.values(snap.w!.slots).map((t) => Array.from(t.dataSync())), name).toEqual(slotsBefore);
      optimizer.dispose();
      tf.dispose([w, g, clone, ...Object.values(snap.w!.slots)]);
    }
  });
});
