import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWasm, randomArray, relativeError, runKernelOn } from '../test-support/backends.js';

/** Parity with the tfjs cpu backend: max |wasm − cpu| / max |cpu| at most this. */
const TOLERANCE = 1e-4;

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const shapes: Array<{ a: number[]; b: number[]; m: number; k: number; n: number }> = [
  { a: [], b: [], m: 7, k: 5, n: 6 },
  { a: [3], b: [3], m: 4, k: 9, n: 5 },
  { a: [2, 3], b: [2, 3], m: 3, k: 4, n: 2 },
  { a: [4], b: [], m: 5, k: 3, n: 6 },
  { a: [], b: [4], m: 5, k: 3, n: 6 },
  { a: [2, 1], b: [1, 3], m: 2, k: 3, n: 4 },
  { a: [1], b: [], m: 33, k: 70, n: 41 },
];

const cases: Case[] = shapes.flatMap(({ a, b, m, k, n }) =>
  [false, true].flatMap((transposeA) =>
    [false, true].map((transposeB) => ({
      a: [...a, ...(transposeA ? [k, m] : [m, k])],
      b: [...b, ...(transposeB ? [n, k] : [k, n])],
      transposeA,
      transposeB,
    })),
  ),
);

beforeAll(initCpuAndWasm);

describe('BatchMatMul on wasm', () => {
  it.each(cases.map((c) => [`a ${c.a.join('×')}${c.transposeA ? 'ᵀ' : ''} · b ${c.b.join('×')}${c.transposeB ? 'ᵀ' : ''}`, c] as const))(
    'matches the cpu backend: %s',
    async (_, c) => {
      const inputs = { a: randomArray(c.a, 21), b: randomArray(c.b, 22) };
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      const cpu = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
      const wasm = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
    },
  );
});
