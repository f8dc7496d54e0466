import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeSimdPaths, type HostArray, initCpuAndWasm, randomArray, relativeError, runKernelOn } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

/** Per-channel statistics as a BatchNorm layer holds them (variance positive, scale around 1). */
function stats(channels: number, seed: number): Record<string, HostArray> {
  const mean = randomArray([channels], seed);
  const variance = randomArray([channels], seed + 1);
  variance.values = variance.values.map((v) => v * v * 4 + 0.01);
  const offset = randomArray([channels], seed + 2);
  const scale = randomArray([channels], seed + 3);
  scale.values = scale.values.map((v) => 1 + v / 2);
  return { mean, variance, offset, scale };
}

async function compare(inputs: Record<string, HostArray>, varianceEpsilon = 1e-3): Promise<number> {
  const cpu = await runKernelOn('cpu', 'FusedBatchNorm', inputs, { varianceEpsilon });
  const wasm = await runKernelOn('wasm', 'FusedBatchNorm', inputs, { varianceEpsilon });
  expect(wasm.shape).toEqual(cpu.shape);
  return relativeError(wasm.values, cpu.values);
}

describeSimdPaths('%s', ['with the SIMD kernels', 'without them'], () => {
  describe('FusedBatchNorm on wasm (per-channel scale and shift)', () => {
    it('matches the cpu backend within 1e-4 relative, with and without offset and scale, for NHWC and 2-D inputs', async () => {
      const { mean, variance, offset, scale } = stats(24, 71);
      const x = randomArray([3, 7, 5, 24], 80);
      x.values = x.values.map((v) => v * 5 + 1);
      expect(await compare({ x, mean: mean!, variance: variance!, offset: offset!, scale: scale! })).toBeLessThan(1e-4);
      expect(await compare({ x, mean: mean!, variance: variance! })).toBeLessThan(1e-4);
      expect(await compare({ x, mean: mean!, variance: variance!, scale: scale! }, 1e-5)).toBeLessThan(1e-4);
      expect(await compare({ x: randomArray([9, 24], 81), mean: mean!, variance: variance!, offset: offset! })).toBeLessThan(1e-4);
    });

    it('matches with a channel count that is not a multiple of 4 (the vector tail)', async () => {
      const { mean, variance, offset, scale } = stats(13, 91);
      const x = randomArray([4, 3, 5, 13], 92);
      expect(await compare({ x, mean: mean!, variance: variance!, offset: offset!, scale: scale! })).toBeLessThan(1e-4);
    });

    it('matches at MobileNet shapes (many rows, few channels) and leaves no tensor or heap block behind', async () => {
      const { mean, variance, offset, scale } = stats(8, 61);
      const x = randomArray([16, 24, 24, 8], 62);
      expect(await compare({ x, mean: mean!, variance: variance!, offset: offset!, scale: scale! })).toBeLessThan(1e-4);
      await tf.setBackend('wasm');
      const inputs = [x, mean!, variance!, offset!, scale!].map((a) => tf.tensor(a.values, a.shape, a.dtype));
      const run = (): Float32Array => tf.tidy(() => tf.batchNorm(inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, inputs[4]!, 1e-3).dataSync() as Float32Array);
      const first = run();
      const dataIds = tf.backend().numDataIds();
      for (let i = 0; i < 5; i++) expect(relativeError(run(), first)).toBe(0);
      expect(tf.backend().numDataIds()).toBe(dataIds);
      tf.dispose(inputs);
    });

    it('keeps accuracy where a channel’s mean is large against its spread (no cancellation)', async () => {
      // Training-mode statistics of a nearly constant channel: values 1000 ± 0.01, outputs of order 1.
      const x = randomArray([16, 4, 4, 2], 63);
      x.values = x.values.map((v) => 1000 + 0.01 * v);
      const mean: HostArray = { values: Float32Array.from([1000, 1000]), shape: [2], dtype: 'float32' };
      const variance: HostArray = { values: Float32Array.from([0.01 ** 2 / 3, 0.01 ** 2 / 3]), shape: [2], dtype: 'float32' };
      expect(await compare({ x, mean, variance }, 1e-9)).toBeLessThan(1e-5);
    });

    it('normalises: per-channel batch statistics give zero mean and unit variance', async () => {
      const x = randomArray([4, 6, 6, 3], 90);
      x.values = x.values.map((v, i) => v * (1 + (i % 3)) + (i % 3) * 10);
      const channels = 3;
      const rows = x.values.length / channels;
      const mean = new Float32Array(channels);
      const variance = new Float32Array(channels);
      x.values.forEach((v, i) => (mean[i % channels]! += v / rows));
      x.values.forEach((v, i) => (variance[i % channels]! += (v - mean[i % channels]!) ** 2 / rows));
      const out = await runKernelOn('wasm', 'FusedBatchNorm', { x, mean: { values: mean, shape: [3], dtype: 'float32' }, variance: { values: variance, shape: [3], dtype: 'float32' } }, { varianceEpsilon: 0 });
      for (let c = 0; c < channels; c++) {
        const column = Array.from(out.values).filter((_, i) => i % channels === c);
        const m = column.reduce((s, v) => s + v, 0) / rows;
        const v = column.reduce((s, u) => s + (u - m) ** 2, 0) / rows;
        expect(Math.abs(m)).toBeLessThan(1e-5);
        expect(Math.abs(v - 1)).toBeLessThan(1e-4);
      }
    });

    it('defers statistics that broadcast otherwise (not one per channel) to the original kernel', async () => {
      const x = randomArray([2, 3, 3, 4], 95);
      const mean = randomArray([1, 1, 1, 4], 96);
      const variance: HostArray = { values: Float32Array.from([0.5, 1, 2, 4]), shape: [1, 1, 1, 4], dtype: 'float32' };
      expect(await compare({ x, mean, variance })).toBeLessThan(1e-5);
    });
  });
});
