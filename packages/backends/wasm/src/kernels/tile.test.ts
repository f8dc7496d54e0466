import { beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWasm, randomArray, runKernelOn, type HostArray } from '../test-support/backends.js';

beforeAll(initCpuAndWasm);

const cases: Array<{ x: HostArray; reps: number[] }> = [
  { x: randomArray([1, 1, 1, 5], 51), reps: [2, 3, 4, 1] },
  { x: randomArray([2, 3], 52), reps: [3, 2] },
  { x: randomArray([3, 1, 2], 53), reps: [1, 4, 1] },
  { x: randomArray([4], 54), reps: [3] },
  { x: randomArray([2, 2], 55), reps: [0, 2] },
  { x: { values: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2], dtype: 'int32' }, reps: [2, 2] },
];

describe('Tile on wasm', () => {
  it.each(cases.map((c) => [`${c.x.dtype} ${c.x.shape.join('×')} by ${c.reps.join('×')}`, c] as const))(
    'is exactly the cpu backend: %s',
    async (_, c) => {
      const cpu = await runKernelOn('cpu', 'Tile', { x: c.x }, { reps: c.reps });
      const wasm = await runKernelOn('wasm', 'Tile', { x: c.x }, { reps: c.reps });
      expect(wasm.shape).toEqual(cpu.shape);
      expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    },
  );

  it('tiles booleans', async () => {
    const x: HostArray = { values: Uint8Array.from([1, 0, 1]), shape: [3, 1], dtype: 'bool' };
    const cpu = await runKernelOn('cpu', 'Tile', { x }, { reps: [2, 3] });
    const wasm = await runKernelOn('wasm', 'Tile', { x }, { reps: [2, 3] });
    expect(wasm.dtype).toBe('bool');
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
    expect(Array.from(wasm.values)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
  });
});
