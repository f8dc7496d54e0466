import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWasm, randomArray, relativeError, runKernelOn, type HostArray } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

function ids(values: number[]): HostArray {
  return { values: Int32Array.from(values), shape: [values.length], dtype: 'int32' };
}

describe('UnsortedSegmentSum on wasm', () => {
  it('matches the cpu backend for float rows, repeated ids and ids out of range', async () => {
    const inputs = { x: randomArray([8, 3, 4], 31), segmentIds: ids([2, 0, 2, 5, -1, 4, 0, 9]) };
    const attrs = { numSegments: 6 };
    const cpu = await runKernelOn('cpu', 'UnsortedSegmentSum', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'UnsortedSegmentSum', inputs, attrs);
    expect(wasm.shape).toEqual([6, 3, 4]);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(1e-6);
  });

  it('matches the cpu backend for int32 values', async () => {
    const x: HostArray = { values: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [4, 2], dtype: 'int32' };
    const inputs = { x, segmentIds: ids([1, 1, 0, 3]) };
    const cpu = await runKernelOn('cpu', 'UnsortedSegmentSum', inputs, { numSegments: 4 });
    const wasm = await runKernelOn('wasm', 'UnsortedSegmentSum', inputs, { numSegments: 4 });
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    expect(Array.from(wasm.values)).toEqual([5, 6, 4, 6, 0, 0, 7, 8]);
  });

  it('sums over the leading axes that 2-D segment ids index, as TensorFlow defines it', async () => {
    const x: HostArray = { values: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]), shape: [2, 2, 2], dtype: 'float32' };
    const segmentIds: HostArray = { values: Int32Array.from([1, 0, 1, 1]), shape: [2, 2], dtype: 'int32' };
    const wasm = await runKernelOn('wasm', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments: 2 });
    expect(wasm.shape).toEqual([2, 2]);
    expect(Array.from(wasm.values)).toEqual([2, 20, 8, 80]);
  });
});
