import { beforeAll, describe, expect, it } from 'vitest';
import { describeSimdPaths, type HostArray, initCpuAndWasm, randomArray, runKernelOn } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

/** Values where comparisons are delicate: ties, signed zeros, infinities, NaN, neighbours 1 ulp apart. */
const tricky = Float32Array.from([
  0, -0, 6, 6, 5.999999523162842, 6.000000476837158, 1e-45, -1e-45, Infinity, -Infinity, NaN, 3, -3, 1e30, -1e30, 0.5,
]);
const trickyB = Float32Array.from([
  -0, 0, 6, 5.999999523162842, 6, 6, -1e-45, 1e-45, Infinity, -Infinity, 1, NaN, -3, -1e30, 1e30, 0.5,
]);

function array(values: Float32Array, shape = [values.length]): HostArray {
  return { values, shape, dtype: 'float32' };
}

async function expectSameOnBoth(kernel: string, inputs: Record<string, HostArray>): Promise<void> {
  const cpu = await runKernelOn('cpu', kernel, inputs, {});
  const wasm = await runKernelOn('wasm', kernel, inputs, {});
  expect(wasm.shape).toEqual(cpu.shape);
  expect(wasm.dtype).toBe(cpu.dtype);
  expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
}

describe.each(['Greater', 'Less'])('%s on wasm', (kernel) => {
  it('is exactly the cpu backend on ties, signed zeros, infinities, NaN and 1-ulp neighbours', async () => {
    await expectSameOnBoth(kernel, { a: array(tricky), b: array(trickyB) });
  });

  it('is exactly the cpu backend against a scalar, on either side', async () => {
    const x = randomArray([2, 5, 5, 3], 61);
    x.values[7] = 0;
    await expectSameOnBoth(kernel, { a: array(Float32Array.from([6])), b: { ...x, values: x.values.map((v) => v * 8) } });
    await expectSameOnBoth(kernel, { a: x, b: array(Float32Array.from([0]), []) });
  });

  it('broadcasts a row against a matrix as the cpu backend does', async () => {
    await expectSameOnBoth(kernel, { a: randomArray([4, 3], 62), b: randomArray([3], 63) });
  });
});

describeSimdPaths('%s', ['with the SIMD kernels', 'without them'], (simd) => {
  describe.each(['Minimum', 'Maximum'])('%s on wasm', (kernel) => {
    it('is exactly the cpu backend against a scalar bound (relu6 is minimum(6, relu(x)))', async () => {
      const x = randomArray([2, 6, 6, 4], 64);
      const scaled = { ...x, values: x.values.map((v) => v * 10) };
      await expectSameOnBoth(kernel, { a: array(Float32Array.from([6]), []), b: scaled });
      await expectSameOnBoth(kernel, { a: scaled, b: array(Float32Array.from([-2.5])) });
    });

    it('is exactly the cpu backend with infinities and NaN among the values', async () => {
      await expectSameOnBoth(kernel, { a: array(tricky), b: array(Float32Array.from([6]), []) });
      const x = randomArray([2, 6, 6, 4], 65);
      x.values[37] = NaN;
      x.values[90] = Infinity;
      await expectSameOnBoth(kernel, { a: x, b: array(Float32Array.from([0.25]), []) });
      x.values[37] = -Infinity;
      await expectSameOnBoth(kernel, { a: x, b: array(Float32Array.from([0.25]), []) });
    });

    // Bound first is checked with the SIMD kernel only: without it the original kernel runs, whose NaN order differs there.
    it(`is exactly the cpu backend for a length that is not a multiple of 4, and for infinite bounds (${simd ? 'either side' : 'bound second'})`, async () => {
      for (const bound of [6, -2.5, Infinity, -Infinity]) {
        await expectSameOnBoth(kernel, { a: array(tricky.slice(0, 7)), b: array(Float32Array.from([bound]), []) });
        if (simd) await expectSameOnBoth(kernel, { a: array(Float32Array.from([bound]), []), b: array(tricky.slice(5, 16)) });
      }
    });

    it('matches the cpu backend for two tensors (the original kernel: it orders neither -0/+0 nor NaN as cpu)', async () => {
      const finite = (v: Float32Array): Float32Array => v.map((x) => (Number.isNaN(x) ? 1 : x));
      const inputs = { a: array(finite(tricky)), b: array(finite(trickyB)) };
      const cpu = await runKernelOn('cpu', kernel, inputs, {});
      const wasm = await runKernelOn('wasm', kernel, inputs, {});
      const unsigned = (v: ArrayLike<number>): number[] => Array.from(v, (x) => (x === 0 ? 0 : x));
      expect(unsigned(wasm.values)).toEqual(unsigned(cpu.values));
    });
  });
});
