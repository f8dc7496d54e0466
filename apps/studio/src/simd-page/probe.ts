import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createWasmBackend } from '@graft/backend-wasm';
// The studio's own setWasmPaths (tfjs's binaries bundled by Vite), as the studio page loads them.
import '../backends.js';
// Not part of the package's API: the page asks the very module the kernels use whether it found its SIMD kernels.
import { simdKernels } from '../../../../packages/backends/wasm/src/kernels/simd.js';

/** What simd-kernels.test.ts reads back (from the page and from a worker it starts). */
export interface SimdPageResult {
  /** Whether Graft's SIMD kernels were instantiated on the wasm backend's heap (false: the slow fallback ran). */
  kernels: boolean;
  /** tfjs's own SIMD detection, for the failure message. */
  engineSimd: boolean;
  crossOriginIsolated: boolean;
  /** XNNPACK threads tfjs started (above 1: the threaded build, on a shared heap). */
  threads: number;
  /** Whether the heap is a SharedArrayBuffer (the kernels' shared-memory variant then runs). */
  sharedHeap: boolean;
  /** The depthwise filter gradient on wasm and on cpu, same inputs. */
  wasm: number[];
  cpu: number[];
  error?: string;
}

/** Deterministic inputs in [-1, 1) (a 32-bit LCG), the same on both backends. */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

// 37 channels (the kernel's 16-, 8- and 4-wide blocks and its scalar tail), stride 2, 'same' padding.
const X: [number, number, number, number] = [3, 9, 8, 37];
const FILTER: [number, number, number, number] = [3, 3, 37, 1];
const DY: [number, number, number, number] = [3, 5, 4, 37];

function filterGradient(): number[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(X.reduce((a, b) => a * b), 1), X);
    const weights = tf.tensor4d(values(DY.reduce((a, b) => a * b), 2), DY);
    const grad = tf.grad((f) => tf.depthwiseConv2d(x, f as tf.Tensor4D, [2, 2], 'same').mul(weights).sum());
    return Array.from(grad(tf.tensor4d(values(FILTER.reduce((a, b) => a * b), 3), FILTER)).dataSync());
  });
}

/**
 * Starts @graft/backend-wasm here (page or worker), with `threads` XNNPACK threads when given (else its
 * default), and computes the gradient on wasm, then on cpu.
 */
export async function probe(threads: number | undefined): Promise<SimdPageResult> {
  await createWasmBackend(threads === undefined ? {} : { threads }).init();
  const backend = tf.backend() as BackendWasm;
  const kernels = simdKernels(backend) !== undefined;
  const heap = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
  const sharedHeap = typeof SharedArrayBuffer !== 'undefined' && heap instanceof SharedArrayBuffer;
  const engineSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const wasm = filterGradient();
  await tf.setBackend('cpu');
  const cpu = filterGradient();
  return { kernels, engineSimd, crossOriginIsolated: globalThis.crossOriginIsolated, threads: getThreadsCount(), sharedHeap, wasm, cpu };
}

/** The result, or the error as one. */
export function probeSettled(threads: number | undefined): Promise<SimdPageResult> {
  return probe(threads).catch((error: unknown) => ({
    kernels: false, engineSimd: false, crossOriginIsolated: false, threads: 0, sharedHeap: false, wasm: [], cpu: [],
    error: String((error as Error)?.stack ?? error),
  }));
}
