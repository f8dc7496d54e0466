import { maskedGrad, type MaskedGradMode } from '@graft/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeSimdPaths, initCpuAndWasm, randomValues, relativeError } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

/** Gradient of Σ w·f(x) with respect to x on `backend`, and the kernels its backward pass ran. */
async function gradOf(backend: string, f: (x: tf.Tensor) => tf.Tensor, values: Float32Array, shape: number[]) {
  await tf.setBackend(backend);
  const x = tf.tensor(values, shape);
  const w = tf.tensor(randomValues(values.length, 41), shape);
  const kernels: string[] = [];
  const engine = tf.engine();
  const run = engine.runKernel.bind(engine);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, f(t))))(x);
  engine.runKernel = ((name: string, ...rest: unknown[]) => {
    kernels.push(name);
    return (run as (...a: unknown[]) => unknown)(name, ...rest);
  }) as typeof engine.runKernel;
  const again = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, f(t))))(x);
  engine.runKernel = run;
  const out = { values: g.dataSync() as Float32Array, again: again.dataSync() as Float32Array, kernels };
  tf.dispose([x, w, g, again]);
  return out;
}

/** Keras' relu6, as tfjs-layers' `relu6` activation computes it. */
const relu6 = (x: tf.Tensor): tf.Tensor => tf.minimum(6, tf.relu(x));

describeSimdPaths('%s', ['with the SIMD kernels', 'without them'], () => {
  describe('ReLU and relu6 gradients on wasm (one masked product each)', () => {
    // Values around 0 and 6, both exactly 0 and 6 included (ties follow tfjs: step(0) = 0, 6 ≤ 6).
    const values = randomValues(4 * 5 * 5 * 8, 40).map((v, i) => (i % 17 === 0 ? 0 : i % 19 === 0 ? 6 : v * 8));
    const shape = [4, 5, 5, 8];

    it.each([
      ['relu', tf.relu],
      ['relu6 as minimum(6, relu(x))', relu6],
      ['minimum(3, x)', (x: tf.Tensor) => tf.minimum(tf.scalar(3), x)],
    ] as const)('%s matches the cpu backend exactly and is deterministic', async (_, f) => {
      const cpu = await gradOf('cpu', f, values, shape);
      const wasm = await gradOf('wasm', f, values, shape);
      expect(relativeError(wasm.values, cpu.values)).toBe(0);
      expect(relativeError(wasm.again, wasm.values)).toBe(0);
      expect(wasm.kernels).toContain('GraftMaskedGrad');
      expect(wasm.kernels).not.toContain('Greater');
      expect(wasm.kernels.length).toBeLessThan(cpu.kernels.length);
      expect(Array.from(wasm.values).some((v) => v !== 0)).toBe(true);
    });

    it('keeps tfjs semantics for NaN: relu passes NaN on, minimum masks it out', async () => {
      const nan = Float32Array.from([NaN, -1, 1, 7, 2, NaN, -3]);
      for (const f of [tf.relu, relu6]) {
        const cpu = await gradOf('cpu', f, nan, [7]);
        const wasm = await gradOf('wasm', f, nan, [7]);
        expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
      }
    });

    it('leaves gradients on other backends, of minimum(x, scalar) and of tensor-tensor minimum as tfjs defines them', async () => {
      const cpu = await gradOf('cpu', relu6, values, shape);
      expect(cpu.kernels).not.toContain('GraftMaskedGrad');
      const bounded = (x: tf.Tensor): tf.Tensor => tf.minimum(x, 2);
      const wasmBounded = await gradOf('wasm', bounded, values, shape);
      expect(wasmBounded.kernels).not.toContain('GraftMaskedGrad');
      expect(relativeError(wasmBounded.values, (await gradOf('cpu', bounded, values, shape)).values)).toBe(0);
      const pair = (x: tf.Tensor): tf.Tensor => tf.minimum(x, tf.reverse(x));
      const wasm = await gradOf('wasm', pair, values, shape);
      expect(wasm.kernels).not.toContain('GraftMaskedGrad');
      expect(relativeError(wasm.values, (await gradOf('cpu', pair, values, shape)).values)).toBe(0);
    });

    it.each(['positive', 'below', 'between'] as const)(
      "core's maskedGrad, mode %s, equals its tfjs-ops path on cpu bit for bit, NaN and the bounds included",
      async (mode: MaskedGradMode) => {
        const x = Float32Array.from([...values, NaN, 0, 6, -0, 5.999999, 6.000001]);
        const dy = Float32Array.from(randomValues(x.length, 42).map((v, i) => (i === 3 ? NaN : v)));
        const run = async (backend: string) => {
          await tf.setBackend(backend);
          const [dyT, xT] = [tf.tensor(dy), tf.tensor(x)];
          const out = maskedGrad(dyT, xT, mode, 6);
          const result = out.dataSync() as Float32Array;
          tf.dispose([dyT, xT, out]);
          return result;
        };
        const cpu = await run('cpu');
        const wasm = await run('wasm');
        expect(Array.from(wasm).map(String)).toEqual(Array.from(cpu).map(String));
        expect(cpu.some((v) => v !== 0)).toBe(true);
      },
    );
  });
});
