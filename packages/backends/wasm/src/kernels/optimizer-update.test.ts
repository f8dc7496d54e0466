import { cpuBackend, Optimizer } from '@graft/core/internal';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect, it } from 'vitest';
import { describeSimdPaths, initCpuAndWasm, randomValues } from '../test-support/backends.js';
import { simdKernels } from './simd.js';

const KERNEL = 'GraftOptimizerUpdate';

beforeAll(async () => {
  await initCpuAndWasm();
  // Registers core's cpu implementation, the cpu-kernel side of the parity checks.
  await cpuBackend.init();
});

const settings = [
  { name: 'sgd' },
  { name: 'sgd', weightDecay: 0.05 },
  { name: 'momentum', momentum: 0.9, weightDecay: 0.01 },
  { name: 'adam' },
  { name: 'adam', weightDecay: 0.02 },
  { name: 'adamw', weightDecay: 0.1 },
] as const;

/** Sizes with every tail length (n mod 4 = 0…3), a scalar among them, each with its own learning rate. */
const shapes = [[7], [3, 3], [], [2, 5, 4], [66]];

/**
 * The variables after `steps` updates on `backend` of a quadratic with far-off targets, fresh gradients
 * each step (deterministic from the step), and the kernels the updates ran.
 */
async function train(backend: 'cpu' | 'wasm', options: (typeof settings)[number], path: 'fused' | 'kernels', steps = 40) {
  await tf.setBackend(backend);
  const optimizer = new Optimizer({ momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...options } as never, path);
  const sizes = shapes.map((s) => tf.util.sizeFromShape(s));
  const vars = shapes.map((s, j) => tf.variable(tf.tensor(randomValues(sizes[j]!, 10 + j), s)));
  const targets = shapes.map((s, j) => tf.tensor(randomValues(sizes[j]!, 20 + j).map((v) => v * 4), s));
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
      optimizer.apply(vars.map((v, j) => ({ key: `v${j}`, variable: v, grad: grads[v.name]!, lr: [0.05, 0.01, 0.002, 0.02, 0.03][j]! })));
    } finally {
      engine.runKernel = run;
    }
    tf.dispose(Object.values(grads));
  }
  const values = Float32Array.from(vars.flatMap((v) => Array.from(v.dataSync())));
  optimizer.dispose();
  tf.dispose([...vars, ...targets]);
  return { values, kernels };
}

/** max |a − b| / max(|b|, 1e-2). */
function maxRelative(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-2));
  return worst;
}

describeSimdPaths('GraftOptimizerUpdate on wasm %s', ['with the SIMD kernel', 'without it (core’s float64 loop on the heap)'], (simd) => {
  it('gives the cpu kernel’s results bit for bit and the elementwise-kernel path’s within 1e-4 relative over 40 steps, deterministically', async () => {
    let worstCpu = 0;
    let worstKernels = 0;
    await tf.setBackend('wasm');
    expect(simdKernels(tf.backend() as BackendWasm) !== undefined).toBe(simd);
    for (const options of settings) {
      const label = JSON.stringify(options);
      const wasm = await train('wasm', options, 'fused');
      const cpu = await train('cpu', options, 'fused');
      const kernels = await train('wasm', options, 'kernels');
      expect(wasm.kernels.filter((k) => k === KERNEL), label).toHaveLength(shapes.length * 40);
      expect(cpu.kernels.filter((k) => k === KERNEL), label).toHaveLength(shapes.length * 40);
      expect(kernels.kernels, label).not.toContain(KERNEL);
      const vsCpu = maxRelative(wasm.values, cpu.values);
      const vsKernels = maxRelative(wasm.values, kernels.values);
      worstCpu = Math.max(worstCpu, vsCpu);
      worstKernels = Math.max(worstKernels, vsKernels);
      // Both paths compute as core's float64 loop does, operation for operation: the cpu kernel's bits.
      expect(wasm.values, label).toEqual(cpu.values);
      expect(vsKernels, label).toBeLessThanOrEqual(1e-4);
      // It trained: the weights moved from their start.
      expect(maxRelative(wasm.values, (await train('wasm', options, 'fused', 0)).values), label).toBeGreaterThan(0.1);
      expect((await train('wasm', options, 'fused')).values, label).toEqual(wasm.values);
    }
    console.log(`GraftOptimizerUpdate on wasm (${simd ? 'SIMD' : 'portable'}): max relative difference ${worstCpu.toExponential(2)} to the cpu kernel, ${worstKernels.toExponential(2)} to the elementwise kernels`);
  });

  it('gives the cpu kernel’s bits for gradients whose squares are float32 subnormals (Adam’s v)', async () => {
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const w = tf.variable(tf.tensor(randomValues(13, 5)));
      const g = tf.tensor(randomValues(13, 6).map((v) => v * 1e-21));
      const optimizer = new Optimizer({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as never, 'fused');
      for (let i = 0; i < 3; i++) optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]);
      const v = optimizer.snapshot()['w']!.slots['v']!;
      const out = [Array.from(w.dataSync()), Array.from(v.dataSync())];
      optimizer.dispose();
      tf.dispose([w, g, v]);
      return out;
    };
    const [wasm, cpu] = [await run('wasm'), await run('cpu')];
    expect(wasm).toEqual(cpu);
    expect(wasm[1]!.some((x) => x !== 0 && Math.abs(x) < 1.1754944e-38)).toBe(true);
  });

  it('writes new heap tensors: a clone and a snapshot taken before a step are unchanged; no tensor or byte leaks', async () => {
    await tf.setBackend('wasm');
    for (const name of ['sgd', 'momentum', 'adam'] as const) {
      const w = tf.variable(tf.tensor(randomValues(11, 3)));
      const g = tf.tensor(randomValues(11, 4));
      const optimizer = new Optimizer({ name, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as never, 'fused');
      optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]);
      const clone = w.clone();
      const snap = optimizer.snapshot();
      const before = Array.from(w.dataSync());
      const slotsBefore = Object.values(snap['w']!.slots).map((t) => Array.from(t.dataSync()));
      const { numTensors, numBytes } = tf.memory();
      for (let i = 0; i < 3; i++) optimizer.apply([{ key: 'w', variable: w, grad: g, lr: 0.1 }]);
      expect(tf.memory().numTensors, name).toBe(numTensors);
      expect(tf.memory().numBytes, name).toBe(numBytes);
      expect(Array.from(w.dataSync()), name).not.toEqual(before);
      expect(Array.from(clone.dataSync()), name).toEqual(before);
      expect(Object.values(snap['w']!.slots).map((t) => Array.from(t.dataSync())), name).toEqual(slotsBefore);
      optimizer.dispose();
      tf.dispose([w, g, clone, ...Object.values(snap['w']!.slots)]);
    }
  });
});
