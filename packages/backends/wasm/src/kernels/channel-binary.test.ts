import { beforeAll, describe, expect, it } from 'vitest';
import { describeSimdPaths, type HostArray, initCpuAndWasm, randomArray, runKernelOn } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

/** Random values with a NaN, ±∞, ±0 and a zero divisor among them. */
function tricky(shape: number[], seed: number): HostArray {
  const a = randomArray(shape, seed);
  const specials = [NaN, Infinity, -Infinity, 0, -0];
  specials.forEach((v, i) => {
    a.values[(i * 7 + seed) % a.values.length] = v;
  });
  return a;
}

async function expectExact(kernel: string, a: HostArray, b: HostArray): Promise<void> {
  const cpu = await runKernelOn('cpu', kernel, { a, b }, {});
  const wasm = await runKernelOn('wasm', kernel, { a, b }, {});
  expect(wasm.shape).toEqual(cpu.shape);
  // Object.is per element: NaN equals NaN, +0 differs from −0.
  expect(Array.from(wasm.values).every((v, i) => Object.is(v, cpu.values[i]))).toBe(true);
}

describeSimdPaths('%s', ['with the SIMD kernels', 'without them'], () => {
  describe.each(['Multiply', 'Add', 'Sub', 'RealDiv'])('%s on wasm', (kernel) => {
    it.each([
      [[3, 4, 5, 8], [8]],
      [[3, 4, 5, 8], [1, 1, 1, 8]],
      [[2, 3, 7], [1, 7]],
      [[5, 13], [13]],
    ])('is exactly the cpu backend for %j against a per-channel %j, on either side', async (full, channel) => {
      const x = tricky(full, 3);
      const v = tricky(channel, 4);
      await expectExact(kernel, x, v);
      await expectExact(kernel, v, x);
    });

    it('is exactly the cpu backend for the cases it leaves to the original kernel (same shape, scalar, one channel)', async () => {
      await expectExact(kernel, tricky([4, 6], 5), tricky([4, 6], 6));
      await expectExact(kernel, tricky([4, 6], 7), tricky([], 8));
      await expectExact(kernel, tricky([4, 1], 9), tricky([1], 10));
    });
  });
});
