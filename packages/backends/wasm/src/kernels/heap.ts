import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Helpers for kernels that work directly on the wasm heap. A tensor of the wasm backend is a block of
 * the module's linear memory; these give typed views over it, allocate outputs, and make zero-copy
 * "views" (tensors aliasing part of another tensor's memory) to hand slices to the XNNPACK kernels.
 *
 * Typed views must be recreated after any allocation: when the heap grows, its ArrayBuffer is replaced.
 */

export type Shape = number[];

/** The parts of the Emscripten module these kernels use (tfjs-backend-wasm types it loosely). */
export interface WasmModule {
  HEAPU8: Uint8Array;
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: { disposeData(id: number): void };
}

export function wasmModule(backend: BackendWasm): WasmModule {
  return backend.wasm as unknown as WasmModule;
}

/** The backend-side record of a tensor (`memoryOffset` is its byte address in the heap). */
function record(backend: BackendWasm, t: tf.TensorInfo): { id: number; memoryOffset: number } {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`tensor ${String(t.shape)} is not on the wasm backend`);
  return data;
}

/** The C++ side's id for a tensor. */
export function tensorId(backend: BackendWasm, t: tf.TensorInfo): number {
  return record(backend, t).id;
}

export function byteOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  return record(backend, t).memoryOffset;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A Float32Array over the tensor's memory (int32 tensors are read with {@link i32}). */
export function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return new Float32Array(wasmModule(backend).HEAPU8.buffer, byteOffset(backend, t), size(t.shape));
}

export function i32(backend: BackendWasm, t: tf.TensorInfo): Int32Array {
  return new Int32Array(wasmModule(backend).HEAPU8.buffer, byteOffset(backend, t), size(t.shape));
}

/** A new tensor on the wasm heap, uninitialised (malloc does not clear memory). */
export function allocate(backend: BackendWasm, shape: Shape, dtype: tf.DataType = 'float32'): tf.TensorInfo {
  return backend.makeOutput(shape, dtype);
}

/** A new tensor on the wasm heap, filled with zeros. */
export function zeros(backend: BackendWasm, shape: Shape, dtype: tf.DataType = 'float32'): tf.TensorInfo {
  const t = allocate(backend, shape, dtype);
  new Uint8Array(wasmModule(backend).HEAPU8.buffer, byteOffset(backend, t), size(shape) * 4).fill(0);
  return t;
}

/** Frees a tensor this kernel allocated and does not return. */
export function free(backend: BackendWasm, t: tf.TensorInfo): void {
  backend.disposeData(t.dataId);
}

/**
 * A tensor aliasing `shape`-many elements of `base` from `elementOffset` on, without copying.
 * Release it with {@link releaseView}: `disposeData` would free memory the view does not own.
 */
export function view(backend: BackendWasm, base: tf.TensorInfo, elementOffset: number, shape: Shape): tf.TensorInfo {
  return backend.makeOutput(shape, base.dtype, byteOffset(backend, base) + elementOffset * 4);
}

/** Forgets a view (and any XNNPACK operator cached on it) without freeing the memory it aliases. */
export function releaseView(backend: BackendWasm, v: tf.TensorInfo): void {
  wasmModule(backend).tfjs.disposeData(tensorId(backend, v));
  backend.dataIdMap.delete(v.dataId);
}

/** `dst[c * rows + r] = src[r * cols + c]`, in cache-sized blocks. */
export function transpose2d(
  src: Float32Array,
  srcOffset: number,
  rows: number,
  cols: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(r0 + B, rows);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(c0 + B, cols);
      for (let r = r0; r < r1; r++) {
        const s = srcOffset + r * cols;
        for (let c = c0; c < c1; c++) dst[dstOffset + c * rows + r] = src[s + c]!;
      }
    }
  }
}
