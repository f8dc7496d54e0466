import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect, it } from 'vitest';
import { describeSimdPaths, type HostArray, initCpuAndWasm, randomArray, relativeError, runKernelOn } from '../test-support/backends.js';
import { simdKernels } from './simd.js';

/** Parity with the tfjs cpu backend: max |wasm − cpu| / max |cpu| at most this. */
const TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  /** [kh, kw, channels, multiplier] */
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 6, 6, 4], filter: [3, 3, 4, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 6, 6, 4], filter: [3, 3, 4, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 4], filter: [3, 3, 4, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 7, 6, 3], filter: [3, 3, 3, 1], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { x: [1, 8, 9, 3], filter: [3, 3, 3, 1], strides: [2, 2], dilations: [1, 1], pad: 'valid' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 1], strides: [1, 1], dilations: [2, 2], pad: 'same' },
  { x: [1, 9, 8, 2], filter: [3, 2, 2, 1], strides: [1, 1], dilations: [2, 3], pad: 'valid' },
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 2], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 2], filter: [3, 3, 2, 3], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 2], strides: [1, 1], dilations: [2, 2], pad: 'valid' },
  { x: [1, 10, 9, 2], filter: [3, 3, 2, 1], strides: [2, 2], dilations: [2, 2], pad: 'same' },
  { x: [1, 8, 8, 3], filter: [5, 5, 3, 1], strides: [2, 1], dilations: [1, 1], pad: 'same' },
  { x: [1, 6, 6, 2], filter: [3, 3, 2, 1], strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  // Padding wider than the filter reach: no equivalent forward convolution, takes the JS path.
  { x: [1, 5, 5, 2], filter: [2, 2, 2, 1], strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [3, 1], [2, 2], [0, 0]] },
  // Channel counts that exercise every SIMD block width (16, 8, 4) and the scalar tail: 16+8+4+3.
  { x: [2, 7, 7, 31], filter: [3, 3, 31, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [3, 9, 8, 37], filter: [3, 3, 37, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 4, 4, 20], filter: [3, 3, 20, 1], strides: [2, 2], dilations: [1, 1], pad: 'valid' },
  // Stride 1 with 64+ channels: the input gradient's SIMD scatter (fewer channels stay on XNNPACK).
  { x: [1, 5, 6, 66], filter: [3, 3, 66, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [1, 7, 7, 65], filter: [3, 3, 65, 1], strides: [1, 1], dilations: [2, 1], pad: 'valid' },
  // Many blocks of output rows in the SIMD filter gradient (simd/filter-grad.ts).
  { x: [2, 40, 40, 29], filter: [3, 3, 29, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 33, 30, 21], filter: [3, 3, 21, 1], strides: [2, 2], dilations: [2, 1], pad: 'same' },
];

function describeCase(c: Case): string {
  return (
    `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides.join(',')}, ` +
    `dilations ${c.dilations.join(',')}, pad ${JSON.stringify(c.pad)}`
  );
}

function outShape(c: Case): [number, number, number, number] {
  const [n, h, w, ch] = c.x;
  const [kh, kw, , m] = c.filter;
  const [sh, sw] = c.strides;
  const eh = (kh - 1) * c.dilations[0] + 1;
  const ew = (kw - 1) * c.dilations[1] + 1;
  if (c.pad === 'same') return [n, Math.ceil(h / sh), Math.ceil(w / sw), ch * m];
  if (c.pad === 'valid') return [n, Math.ceil((h - eh + 1) / sh), Math.ceil((w - ew + 1) / sw), ch * m];
  const [, [t, b], [l, r]] = c.pad;
  return [n, Math.floor((h + t + b - eh) / sh) + 1, Math.floor((w + l + r - ew) / sw) + 1, ch * m];
}

/**
 * The tfjs cpu backend's depthwise backprops compute padding with the dilation but index the input
 * without it (tfjs' own gradient refuses dilations > 1), so it is no reference there. A dilated
 * filter is the undilated filter with d−1 zeros between taps; the reference for dilation d is the cpu
 * kernel at dilation 1 with that spread filter (for the filter gradient: its taps at multiples of d).
 */
function spreadShape(c: Case): [number, number, number, number] {
  const [kh, kw, ch, m] = c.filter;
  return [(kh - 1) * c.dilations[0] + 1, (kw - 1) * c.dilations[1] + 1, ch, m];
}

function spreadFilter(c: Case, w: HostArray): HostArray {
  const [kh, kw, ch, m] = c.filter;
  const shape = spreadShape(c);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const inner = ch * m;
  for (let fy = 0; fy < kh; fy++) {
    for (let fx = 0; fx < kw; fx++) {
      const to = (fy * c.dilations[0] * shape[1] + fx * c.dilations[1]) * inner;
      values.set(w.values.subarray((fy * kw + fx) * inner, (fy * kw + fx + 1) * inner), to);
    }
  }
  return { values, shape, dtype: 'float32' };
}

function gatherTaps(c: Case, spread: Float32Array | Int32Array | Uint8Array): Float32Array {
  const [kh, kw, ch, m] = c.filter;
  const sw = spreadShape(c)[1];
  const inner = ch * m;
  const out = new Float32Array(kh * kw * inner);
  for (let fy = 0; fy < kh; fy++) {
    for (let fx = 0; fx < kw; fx++) {
      const from = (fy * c.dilations[0] * sw + fx * c.dilations[1]) * inner;
      out.set(spread.subarray(from, from + inner), (fy * kw + fx) * inner);
    }
  }
  return out;
}

beforeAll(initCpuAndWasm);

describeSimdPaths('DepthwiseConv2dNativeBackpropInput on wasm, %s', ['SIMD kernel', 'XNNPACK path'], () => {
  it('propagates a NaN in dy as the cpu backend does', async () => {
    const c = cases[1]!;
    const dy = randomArray(outShape(c), 23);
    dy.values[9] = NaN;
    const inputs = { dy, filter: randomArray(c.filter, 24) };
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: c.x };
    const cpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    expect(Array.from(wasm.values, Number.isNaN)).toEqual(Array.from(cpu.values, Number.isNaN));
    expect(Array.from(cpu.values).some(Number.isNaN)).toBe(true);
  });

  it('gives the same bits twice (training stays deterministic)', async () => {
    const c = cases[15]!;
    const inputs = { dy: randomArray(outShape(c), 25), filter: randomArray(c.filter, 26) };
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: c.x };
    const first = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    const second = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('matches the cpu backend: %s', async (_, c) => {
    const inputs = { dy: randomArray(outShape(c), 11), filter: randomArray(c.filter, 12) };
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: c.x };
    const cpu = await runKernelOn(
      'cpu',
      'DepthwiseConv2dNativeBackpropInput',
      { dy: inputs.dy, filter: spreadFilter(c, inputs.filter) },
      { ...attrs, dilations: [1, 1] },
    );
    const wasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    expect(wasm.shape).toEqual(c.x);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describeSimdPaths('DepthwiseConv2dNativeBackpropFilter on wasm, %s', ['SIMD kernel', 'XNNPACK path'], (simd) => {
  it(simd ? 'has the SIMD kernels in Node' : 'runs without them', () => {
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm) !== undefined).toBe(simd);
  });

  it('gives the same bits twice (training stays deterministic)', async () => {
    const c = cases[15]!;
    const inputs = { x: randomArray(c.x, 19), dy: randomArray(outShape(c), 20) };
    const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations, filterShape: c.filter };
    const first = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    const second = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });

  it('propagates an infinity in dy as the cpu backend does', async () => {
    const c = cases[3]!;
    const dy = randomArray(outShape(c), 17);
    dy.values[7] = Infinity;
    const inputs = { x: randomArray(c.x, 18), dy };
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape: c.filter };
    const cpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    const kind = (v: number) => (Number.isFinite(v) ? 'finite' : String(v));
    expect(Array.from(wasm.values, kind)).toEqual(Array.from(cpu.values, kind));
    expect(Array.from(cpu.values).some((v) => v === Infinity || v === -Infinity)).toBe(true);
  });

  it('propagates a NaN in the input as the cpu backend does', async () => {
    const c = cases[0]!;
    const x = randomArray(c.x, 15);
    x.values[5] = NaN;
    const inputs = { x, dy: randomArray(outShape(c), 16) };
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape: c.filter };
    const cpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    const wasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    expect(Array.from(wasm.values, Number.isNaN)).toEqual(Array.from(cpu.values, Number.isNaN));
    expect(Array.from(cpu.values).some(Number.isNaN)).toBe(true);
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('matches the cpu backend: %s', async (_, c) => {
    const inputs = { x: randomArray(c.x, 13), dy: randomArray(outShape(c), 14) };
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape: c.filter };
    const cpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', inputs, {
      ...attrs,
      dilations: [1, 1],
      filterShape: spreadShape(c),
    });
    const wasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    expect(wasm.shape).toEqual(c.filter);
    expect(relativeError(wasm.values, gatherTaps(c, cpu.values))).toBeLessThanOrEqual(TOLERANCE);
  });
});
