import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWasm, randomArray, relativeError, runKernelOn, type HostArray } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

/** Parity with the tfjs cpu backend: max |wasm − cpu| / max |cpu| at most this. */
const TOLERANCE = 1e-4;

function offset(a: HostArray, by: number): HostArray {
  return { ...a, values: (a.values as Float32Array).map((v) => v + by) };
}

const cases: Array<[string, HostArray, number[], boolean]> = [
  ['NHWC over N, H, W (BatchNorm statistics)', offset(randomArray([8, 12, 12, 16], 81), 0.5), [0, 1, 2], false],
  ['NHWC over N, H, W, keepDims', randomArray([4, 6, 6, 8], 82), [0, 1, 2], true],
  ['a matrix over rows', offset(randomArray([300, 7], 83), -2), [0], false],
  ['leading axes given out of order', randomArray([5, 4, 3], 84), [1, 0], false],
  ['trailing axis (original kernel)', randomArray([6, 10], 85), [1], false],
  ['all axes (original kernel)', randomArray([6, 10], 86), [0, 1], false],
  // A masked-LM logit gradient summed over tokens: wider than the pooled fast path takes (it overran the heap).
  ['a [tokens, vocabulary] matrix over tokens', randomArray([24, 30522], 90), [0], false],
];

function withNonFinite(a: HostArray, at: Record<number, number>): HostArray {
  const values = Float32Array.from(a.values);
  for (const [i, v] of Object.entries(at)) values[Number(i)] = v;
  return { ...a, values };
}

const nonFinite: Array<[string, HostArray]> = [
  ['a NaN', withNonFinite(randomArray([4, 5, 5, 3], 87), { 10: NaN })],
  ['+∞ and −∞ in one channel', withNonFinite(randomArray([4, 5, 5, 3], 88), { 3: Infinity, 6: -Infinity })],
  ['+∞', withNonFinite(randomArray([4, 5, 5, 3], 89), { 20: Infinity })],
];

describe.each(['Mean', 'Sum'])('%s on wasm', (kernel) => {
  it.each(nonFinite)('propagates %s as the cpu backend does', async (_, x) => {
    const cpu = await runKernelOn('cpu', kernel, { x }, { axis: [0, 1, 2], keepDims: false });
    const wasm = await runKernelOn('wasm', kernel, { x }, { axis: [0, 1, 2], keepDims: false });
    const kind = (v: number): string => (Number.isFinite(v) ? 'finite' : String(v));
    expect(Array.from(wasm.values, kind)).toEqual(Array.from(cpu.values, kind));
    const finite = (v: ArrayLike<number>): number[] => Array.from(v).filter(Number.isFinite);
    expect(relativeError(finite(wasm.values), finite(cpu.values))).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(cases)('matches the cpu backend: %s', async (_, x, axis, keepDims) => {
    const cpu = await runKernelOn('cpu', kernel, { x }, { axis, keepDims });
    const wasm = await runKernelOn('wasm', kernel, { x }, { axis, keepDims });
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
  });
});
