import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapMemory } from './heap-memory.js';
import { SIMD_KERNELS_BASE64, SIMD_KERNELS_SHARED_BASE64 } from './simd-binary.js';

/**
 * Graft's own WebAssembly SIMD kernels (source: simd/*.ts, AssemblyScript). They run on
 * tfjs-backend-wasm's heap: the module imports that module's `WebAssembly.Memory`, so tensors are
 * passed as byte addresses and the heap's growth is seen by both. All arguments are numbers.
 */
export interface SimdKernels {
  /** dW ([kh, kw, c, 1]) of a depthwise convolution with channel multiplier 1. */
  depthwiseFilterGrad(
    x: number, dy: number, out: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number,
  ): void;
  /** dW ([1, 1, ci, co]) of a 1×1, stride-1, unpadded 2-D convolution over `positions` rows. */
  pointwiseFilterGrad(x: number, dy: number, out: number, positions: number, ci: number, co: number): void;
  /** Over n floats, by `mode`: 0 `out = dy · step(x)`, 1 `dy · step(bound − x)`, 2 `dy · step(x) · step(bound − x)`. */
  maskedGrad(dy: number, x: number, out: number, n: number, mode: number, bound: number): void;
  /** `out = min(x, bound)`, or max when `isMax` (1/0), NaN passed on, over n floats. */
  clampScalar(x: number, out: number, n: number, bound: number, isMax: number): void;
  /** `[Σ dy, Σ dy·(x − mean)]` per channel into `out` ([2, c]); x and dy are [rows, c]. */
  batchNormGradSums(x: number, mean: number, dy: number, out: number, rows: number, c: number): void;
  /** `out = (x − mean)·factor + shift` per channel; `params` holds factor then shift ([2, c]). */
  batchNormForward(x: number, mean: number, params: number, out: number, rows: number, c: number): void;
  /** dx ([positions, ci]) of a 1×1 stride-1 unpadded convolution; `packed` is scratch for (ci & ~7)·co floats. */
  pointwiseInputGrad(dy: number, w: number, packed: number, dx: number, positions: number, ci: number, co: number): void;
  /** dx ([n, h, w, c]) of a depthwise convolution with channel multiplier 1. */
  depthwiseInputGrad(
    dy: number, filter: number, dx: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number,
  ): void;
  /**
   * dx ([n, h, w, c]) of a 2-D convolution from dy ([n, oh, ow, co]) and its filter ([kh, kw, c, co]), one output
   * row at a time; `packed` is scratch for ⌈kh·kw·c / 8⌉·8·co floats, `scratch` for ow·⌈kh·kw·c / 8⌉·8.
   */
  convInputGrad(
    dy: number, filter: number, packed: number, scratch: number, dx: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number, co: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number,
  ): void;
  /** `out = full ∘ channel` per row ([rows, c] by [c]; `channelFirst` 1: channel ∘ full); op 0 ×, 1 +, 2 −, 3 ÷. */
  channelBinary(full: number, channel: number, out: number, rows: number, c: number, op: number, channelFirst: number): void;
  /**
   * One variable's optimizer update (core's GraftOptimizerUpdate) in float64, as core's loop: rule 0 sgd,
   * 1 momentum (s0 velocity), 2 adam/adamw (s0 m, s1 v); writes the new weights to `next` and the new
   * slots to `s0Next`, `s1Next`.
   */
  optimizerUpdate(
    rule: number, w: number, g: number, s0: number, s1: number, next: number, s0Next: number, s1Next: number, n: number,
    lr: number, momentum: number, beta1: number, beta2: number, epsilon: number, l2: number, decay: number, c1: number, c2: number,
  ): void;
  /** dW ([kh, kw, ci, co]) of a 2-D convolution. */
  convFilterGrad(
    x: number, dy: number, out: number,
    n: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number,
  ): void;
}

/** Per Emscripten module: its kernels, or null where they cannot run (no SIMD, memory not found). */
const instances = new WeakMap<object, SimdKernels | null>();
/** Compiled once per variant: for unshared memory (single-threaded builds) and shared (threaded). */
const compiled = new Map<boolean, WebAssembly.Module | null>();
let enabled = true;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The SIMD kernels bound to `backend`'s heap, instantiated on first use (synchronously: the module is
 * about 8 KB, well under the 8 MB Chrome now allows to compile on the main thread). Undefined when the
 * engine lacks WebAssembly SIMD or refuses the module, when tfjs's memory cannot be found, or when they
 * are switched off; callers then take their portable path.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  if (!enabled) return undefined;
  const module = backend.wasm as object;
  let kernels = instances.get(module);
  if (kernels === undefined) {
    kernels = instantiate(backend);
    instances.set(module, kernels);
  }
  return kernels ?? undefined;
}

function instantiate(backend: BackendWasm): SimdKernels | null {
  const memory = heapMemory(backend);
  if (memory === undefined) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  if (!compiled.has(shared)) compiled.set(shared, compile(shared ? SIMD_KERNELS_SHARED_BASE64 : SIMD_KERNELS_BASE64));
  const module = compiled.get(shared);
  if (!module) return null;
  try {
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    // A memory this binary cannot import: the portable paths still work.
    return null;
  }
}

function compile(base64: string): WebAssembly.Module | null {
  const bytes = decode(base64);
  if (!WebAssembly.validate(bytes)) return null;
  try {
    return new WebAssembly.Module(bytes);
  } catch {
    // An engine that refuses synchronous compilation here (older Chrome allowed 4 KB on the main
    // thread): run on the portable paths rather than fail the kernel.
    return null;
  }
}

/**
 * Switches the SIMD kernels on or off (tests and benchmarks compare both paths); returns the previous
 * setting.
 */
export function setSimdKernelsEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}
