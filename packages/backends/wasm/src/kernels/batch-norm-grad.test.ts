import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeSimdPaths, initCpuAndWasm, randomValues, relativeError } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

const TOLERANCE = 1e-4;

/** Gradients of Σ w·batchNorm(x, mean, variance, offset, scale) with respect to all five inputs. */
async function batchNormGrads(backend: string, xShape: number[], withScale: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const c = xShape[xShape.length - 1]!;
  const n = xShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(randomValues(n, 71).map((v) => 3 * v + 1), xShape);
  const weights = tf.tensor(randomValues(n, 72), xShape);
  const mean = tf.tensor1d(randomValues(c, 73));
  const variance = tf.tensor1d(randomValues(c, 74).map((v) => v * v + 0.1));
  const offset = tf.tensor1d(randomValues(c, 75));
  const scale = tf.tensor1d(randomValues(c, 76).map((v) => v + 1.5));
  const inputs = withScale ? [x, mean, variance, offset, scale] : [x, mean, variance, offset];
  const f = (...args: tf.Tensor[]): tf.Tensor =>
    tf.sum(tf.mul(weights, tf.batchNorm(args[0]!, args[1]!, args[2]!, args[3]!, withScale ? args[4]! : undefined, 1e-3)));
  const grads = tf.grads(f)(inputs);
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...grads, ...inputs, weights, scale]);
  return values;
}

describeSimdPaths('%s', ['with the SIMD kernels', 'without them'], () => {
  describe('BatchNorm gradient on wasm', () => {
    // (tfjs cannot differentiate batchNorm without a scale on any backend: it fails saving inputs.)
    it.each([
      [[4, 5, 5, 6], true],
      [[7, 3], true],
      // 13 channels: a block of 8, one of 4 and a single channel in the SIMD kernel.
      [[3, 4, 4, 13], true],
    ] as const)('matches the cpu backend for x %j (scale: %s)', async (shape, withScale) => {
      const cpu = await batchNormGrads('cpu', [...shape], withScale);
      const wasm = await batchNormGrads('wasm', [...shape], withScale);
      expect(wasm).toHaveLength(cpu.length);
      wasm.forEach((g, i) => expect(relativeError(g, cpu[i]!), `input ${i}`).toBeLessThanOrEqual(TOLERANCE));
    });

    it('leaves the gradient on other backends as tfjs defines it', async () => {
      await tf.setBackend('cpu');
      const before = tf.memory().numTensors;
      await batchNormGrads('cpu', [2, 3], true);
      await tf.setBackend('cpu');
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.getKernel('GraftBatchNormGradSums', 'cpu')).toBeUndefined();
    });
  });

  describe('GraftBatchNormGradSums on wasm', () => {
    it('propagates NaN and infinities like plain sums (XNNPACK pooling would clamp them)', async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor2d([[1, 2], [3, NaN], [5, 6]]);
      const dy = tf.tensor2d([[1, Infinity], [1, 1], [1, 1]]);
      const mean = tf.tensor1d([3, 4]);
      const sums = tf.engine().runKernel('GraftBatchNormGradSums', { x, mean, dy }, {}) as tf.Tensor;
      expect(Array.from(sums.dataSync())).toEqual([3, Infinity, 0, NaN]);
      tf.dispose([x, dy, mean, sums]);
    });
  });
});
