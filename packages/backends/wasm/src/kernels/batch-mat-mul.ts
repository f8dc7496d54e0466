import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, f32, free, releaseView, size, transpose2d, view } from './heap.js';
import { gemm } from './matmul.js';
import { wasmKernel } from './originals.js';

/**
 * `BatchMatMul` that always reaches XNNPACK. tfjs-backend-wasm uses XNNPACK only for an
 * untransposed product with batch 1 and a naive loop otherwise, yet every matmul gradient is
 * transposed (`da = dy·bᵀ`, `db = aᵀ·dy`) and attention is batched. Here transposed operands are
 * materialised (a copy is far cheaper than the naive product), a batch against one shared matrix is
 * one product, and other batches are one XNNPACK product per slice through zero-copy views.
 */
export function batchMatMul(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs['a']!;
  const b = inputs['b']!;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const k = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const kb = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const n = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  const simpleBroadcast = batchA === batchB || batchA === 1 || batchB === 1;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || k !== kb || !simpleBroadcast || m * n * k === 0) {
    return wasmKernel('BatchMatMul')(args) as tf.TensorInfo;
  }
  const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = size(batchShape);

  const aN = transposeA ? transposed(backend, a, batchA, k, m) : a;
  const bN = transposeB ? transposed(backend, b, batchB, n, k) : b;
  const out = allocate(backend, [...batchShape, m, n]);
  if (batchB === 1) {
    // Every slice of a meets the same b: stack them into one taller product.
    gemm(backend, aN, batchA * m, k, bN, n, out);
  } else {
    for (let i = 0; i < batch; i++) {
      const av = view(backend, aN, (batchA === 1 ? 0 : i) * m * k, [m, k]);
      const bv = view(backend, bN, i * k * n, [k, n]);
      const ov = view(backend, out, i * m * n, [m, n]);
      gemm(backend, av, m, k, bv, n, ov);
      releaseView(backend, av);
      releaseView(backend, bv);
      releaseView(backend, ov);
    }
  }
  if (aN !== a) free(backend, aN);
  if (bN !== b) free(backend, bN);
  return out;
}

/** Each of `batch` row-major `rows×cols` matrices of `t`, transposed into a new tensor. */
function transposed(backend: BackendWasm, t: tf.TensorInfo, batch: number, rows: number, cols: number): tf.TensorInfo {
  const out = allocate(backend, [batch, cols, rows]);
  const src = f32(backend, t);
  const dst = f32(backend, out);
  for (let i = 0; i < batch; i++) transpose2d(src, i * rows * cols, rows, cols, dst, i * rows * cols);
  return out;
}
