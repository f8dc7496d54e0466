import { beforeAll, expect, it } from 'vitest';
import { describeSimdPaths, initCpuAndWasm, randomArray, relativeError, runKernelOn } from '../test-support/backends.js';
import { setColumnBudget } from './conv-info.js';

/**
 * Parity with the tfjs cpu backend: max |wasm − cpu| / max |cpu| at most this. The cases cover
 * 1×1 and k×k filters with more and fewer output channels than im2col columns (the two ways the
 * product is laid out), strides 1 and 2, SAME, VALID and explicit padding.
 */
const TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 5, 5, 4], filter: [1, 1, 4, 6], strides: [1, 1], pad: 'same' },
  { x: [2, 5, 5, 4], filter: [1, 1, 4, 6], strides: [1, 1], pad: 'valid' },
  { x: [2, 6, 6, 3], filter: [1, 1, 3, 5], strides: [2, 2], pad: 'same' },
  { x: [2, 5, 5, 6], filter: [1, 1, 6, 4], strides: [1, 1], pad: 'same' },
  { x: [2, 6, 6, 1], filter: [3, 3, 1, 12], strides: [2, 2], pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { x: [1, 8, 7, 2], filter: [3, 3, 2, 3], strides: [1, 1], pad: 'valid' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 'valid' },
  { x: [2, 6, 9, 3], filter: [2, 3, 3, 5], strides: [1, 2], pad: 'same' },
  { x: [1, 6, 6, 2], filter: [3, 3, 2, 2], strides: [1, 1], pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  // Channel counts that reach every SIMD tile (4×8, 4×4, 1×8, 1×4 and scalar): 4+3 in, 8+4+3 out.
  { x: [2, 5, 6, 7], filter: [1, 1, 7, 15], strides: [1, 1], pad: 'same' },
  { x: [3, 7, 7, 7], filter: [3, 3, 7, 15], strides: [2, 2], pad: 'same' },
  { x: [2, 8, 8, 16], filter: [1, 1, 16, 24], strides: [1, 1], pad: 'valid' },
  // Pointwise with enough channels that the positions are split into several L1 blocks (and tails).
  { x: [2, 4, 4, 136], filter: [1, 1, 136, 76], strides: [1, 1], pad: 'same' },
  { x: [1, 5, 7, 130], filter: [1, 1, 130, 67], strides: [1, 1], pad: 'valid' },
  // Many blocks of output rows in the filter gradient (simd/filter-grad.ts), MobileNet's first layer.
  { x: [2, 40, 40, 8], filter: [3, 3, 8, 13], strides: [1, 1], pad: 'same' },
  { x: [2, 64, 62, 3], filter: [3, 3, 3, 8], strides: [2, 2], pad: 'same' },
];

function describeCase(c: Case): string {
  return `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides.join(',')}, pad ${JSON.stringify(c.pad)}`;
}

function outShape(c: Case): [number, number, number, number] {
  const [n, h, w] = c.x;
  const [kh, kw, , co] = c.filter;
  const [sh, sw] = c.strides;
  if (c.pad === 'same') return [n, Math.ceil(h / sh), Math.ceil(w / sw), co];
  if (c.pad === 'valid') return [n, Math.ceil((h - kh + 1) / sh), Math.ceil((w - kw + 1) / sw), co];
  const [, [t, b], [l, r]] = c.pad;
  return [n, Math.floor((h + t + b - kh) / sh) + 1, Math.floor((w + l + r - kw) / sw) + 1, co];
}

beforeAll(initCpuAndWasm);

describeSimdPaths('Conv2DBackpropFilter on wasm, %s', ['SIMD kernel', 'XNNPACK path'], () => {
  it('gives the same bits twice (training stays deterministic)', async () => {
    const c = cases[13]!;
    const inputs = { x: randomArray(c.x, 19), dy: randomArray(outShape(c), 20) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const first = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    const second = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });

  it('propagates a NaN in the input as the cpu backend does', async () => {
    const c = cases[6]!;
    const x = randomArray(c.x, 9);
    x.values[10] = NaN;
    const inputs = { x, dy: randomArray(outShape(c), 10) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const cpu = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(Array.from(wasm.values, Number.isNaN)).toEqual(Array.from(cpu.values, Number.isNaN));
    expect(Array.from(cpu.values).some(Number.isNaN)).toBe(true);
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('matches the cpu backend: %s', async (_, c) => {
    const inputs = { x: randomArray(c.x, 1), dy: randomArray(outShape(c), 2) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const cpu = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(wasm.shape).toEqual(c.filter);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives the same result when the batch is processed in im2col chunks', async () => {
    const c = cases[4]!;
    const inputs = { x: randomArray(c.x, 3), dy: randomArray(outShape(c), 4) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const cpu = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const restore = setColumnBudget(1);
    try {
      const wasm = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      setColumnBudget(restore);
    }
  });
});

describeSimdPaths('Conv2DBackpropInput on wasm, %s', ['SIMD kernel (pointwise)', 'XNNPACK path'], () => {
  it('gives the same bits twice (training stays deterministic)', async () => {
    const c = cases[15]!;
    const inputs = { dy: randomArray(outShape(c), 21), filter: randomArray(c.filter, 22) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
    const first = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
    const second = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('matches the cpu backend: %s', async (_, c) => {
    const inputs = { dy: randomArray(outShape(c), 5), filter: randomArray(c.filter, 6) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
    const cpu = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
    expect(wasm.shape).toEqual(c.x);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives the same result when the batch is processed in col2im chunks', async () => {
    const c = cases[5]!;
    const inputs = { dy: randomArray(outShape(c), 7), filter: randomArray(c.filter, 8) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
    const cpu = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    const restore = setColumnBudget(1);
    try {
      const wasm = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      setColumnBudget(restore);
    }
  });
});
