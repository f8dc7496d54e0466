import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { setSimdKernelsEnabled, simdKernels } from '../kernels/simd.js';
import { registerWasmGradientKernels } from '../kernels/register.js';
import { wasmBinaryDirectory } from '../wasm-files.js';

/** Test support: both backends ready in this process, so a test can run the same kernel on each. */
export async function initCpuAndWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = await wasmBinaryDirectory();
  if (dir !== undefined) wasm.setWasmPaths(dir);
  registerWasmGradientKernels();
  for (const name of ['cpu', 'wasm']) {
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
    // Silence tfjs' advice to install tfjs-node, printed on the cpu backend's first use.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  }
}

export interface HostArray {
  values: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

/** Runs one kernel on `backend` with host inputs and returns its output on the host. */
export async function runKernelOn(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, HostArray>,
  attrs: tf.NamedAttrMap,
): Promise<{ values: Float32Array | Int32Array | Uint8Array; shape: number[]; dtype: string }> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const ins: tf.NamedTensorMap = {};
    for (const [name, a] of Object.entries(inputs)) ins[name] = tf.tensor(a.values, a.shape, a.dtype);
    return tf.engine().runKernel(kernelName, ins, attrs) as tf.Tensor;
  });
  const values = out.dataSync() as Float32Array | Int32Array | Uint8Array;
  const { shape, dtype } = out;
  out.dispose();
  return { values, shape, dtype };
}

/** Deterministic uniform values in [-1, 1) (mulberry32). */
export function randomValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randomArray(shape: number[], seed: number): HostArray {
  return { values: randomValues(shape.reduce((a, b) => a * b, 1), seed), shape, dtype: 'float32' };
}

/** `max |actual − expected| / max |expected|`: error relative to the tensor's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

/**
 * Declares the tests in `body` twice: with Graft's SIMD kernels (`labels[0]`) and without them (`labels[1]`,
 * the portable path), each block switching them for its own tests. With them, it first checks that they load
 * on the wasm backend, so a silent fallback cannot test the portable path twice. `title` may hold `%s` for the
 * label. Needs the wasm backend initialised by an outer `beforeAll` (e.g. {@link initCpuAndWasm}).
 */
export function describeSimdPaths(
  title: string,
  labels: readonly [string, string],
  body: (simd: boolean) => void,
): void {
  describe.each([
    [labels[0], true],
    [labels[1], false],
  ] as const)(title, (_, simd) => {
    let previous: boolean;
    beforeAll(() => {
      previous = setSimdKernelsEnabled(simd);
      if (simd) expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeDefined();
    });
    afterAll(() => {
      setSimdKernelsEnabled(previous);
    });
    body(simd);
  });
}

/**
 * Deterministic weights for a tfjs model (the MobileNet of mobilenet.ts): kernels uniform with variance
 * 1/fan-in from seeds `seedBase + i`, BatchNorm at its identity, biases zero.
 */
export function seededWeights(model: tf.LayersModel, seedBase: number): Float32Array[] {
  return model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    if (/gamma|moving_variance/.test(w.name)) return new Float32Array(n).fill(1);
    if (/beta|moving_mean|bias/.test(w.name)) return new Float32Array(n);
    const fanIn = /depthwise/.test(w.name) ? shape[0]! * shape[1]! : n / shape[shape.length - 1]!;
    const scale = Math.sqrt(3 / fanIn);
    return randomValues(n, seedBase + i).map((v) => v * scale);
  });
}
