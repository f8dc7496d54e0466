import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tensorId, wasmModule } from './heap.js';

type WasmBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const exported = new WeakMap<object, WasmBatchMatMul>();

/** The module's own `BatchMatMul` entry point (the one tfjs-backend-wasm's kernel wraps). */
function wasmBatchMatMul(backend: BackendWasm): WasmBatchMatMul {
  const module = wasmModule(backend);
  let fn = exported.get(module);
  if (fn === undefined) {
    fn = module.cwrap('BatchMatMul', null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]) as WasmBatchMatMul;
    exported.set(module, fn);
  }
  return fn;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/**
 * `out[m×n] = a[m×k] · b[k×n]`, all row-major and contiguous, through XNNPACK's fully-connected
 * operator. That is the wasm module's only fast matrix product: it is taken only when neither
 * operand is transposed and the batch is 1, every other case falls to a naive triple loop that is
 * 10–30× slower. So callers lay their operands out to fit it. `b` is packed (and cached on its id
 * until it is disposed), so pass the operand that is cheaper to pack as `b`.
 */
export function gemm(
  backend: BackendWasm,
  a: tf.TensorInfo,
  m: number,
  k: number,
  b: tf.TensorInfo,
  n: number,
  out: tf.TensorInfo,
): void {
  wasmBatchMatMul(backend)(
    tensorId(backend, a),
    shapeBytes([1, m, k]),
    3,
    tensorId(backend, b),
    shapeBytes([1, k, n]),
    3,
    false,
    false,
    tensorId(backend, out),
  );
}
