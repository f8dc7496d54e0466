import { BATCH_NORM_GRAD_SUMS, batchNormGradSums as gradSums } from '@graft/core';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, f32, free, size } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

/**
 * Core's {@link BATCH_NORM_GRAD_SUMS} on wasm: per channel (last axis), over all other axes, `[Σ dy, Σ dy·(x − mean)]`
 * as a `[2, channels]` tensor. On XNNPACK: a subtraction, a multiplication and two average poolings with
 * a `rows × 1` window (times the count). XNNPACK clamps pooled outputs, which would turn a NaN into
 * ±∞, so non-finite results are recomputed in JS (double precision), as are single rows. Where the
 * engine has WebAssembly SIMD, one pass of Graft's kernel (simd/batch-norm.ts) instead.
 */
export function batchNormGradSums(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, backend } = args;
  const x = inputs['x']!;
  const mean = inputs['mean']!;
  const dy = inputs['dy']!;
  const channels = x.shape[x.shape.length - 1]!;
  const rows = size(x.shape) / channels;
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const out = allocate(backend, [2, channels]);
    simd.batchNormGradSums(byteOffset(backend, x), byteOffset(backend, mean), byteOffset(backend, dy), byteOffset(backend, out), rows, channels);
    return out;
  }
  if (rows >= 2) {
    const centered = wasmKernel('Sub')({ inputs: { a: x, b: mean }, backend, attrs: {} }) as tf.TensorInfo;
    const products = wasmKernel('Multiply')({ inputs: { a: dy, b: centered }, backend, attrs: {} }) as tf.TensorInfo;
    free(backend, centered);
    const sums = [dy, products].map((t) => poolRows(backend, t, rows, channels));
    free(backend, products);
    const values = sums.map((t) => Float64Array.from(f32(backend, t), (v) => v * rows));
    sums.forEach((t) => free(backend, t));
    if (values.every((v) => v.every(Number.isFinite))) {
      const out = allocate(backend, [2, channels]);
      const o = f32(backend, out);
      o.set(values[0]!);
      o.set(values[1]!, channels);
      return out;
    }
  }
  return sumsInJs(backend, x, mean, dy, channels);
}

function poolRows(backend: BackendWasm, t: tf.TensorInfo, rows: number, channels: number): tf.TensorInfo {
  return wasmKernel('AvgPool')({
    inputs: { x: { ...t, shape: [1, rows, 1, channels] } },
    backend,
    attrs: { filterSize: [rows, 1], strides: [1, 1], pad: 'valid' },
  }) as tf.TensorInfo;
}

function sumsInJs(backend: BackendWasm, x: tf.TensorInfo, mean: tf.TensorInfo, dyInfo: tf.TensorInfo, channels: number): tf.TensorInfo {
  const out = allocate(backend, [2, channels]);
  const sumDy = new Float64Array(channels);
  const sumDyCentered = new Float64Array(channels);
  const dy = f32(backend, dyInfo);
  const xs = f32(backend, x);
  const m = Float64Array.from(f32(backend, mean));
  for (let r = 0, n = dy.length; r < n; r += channels) {
    for (let c = 0; c < channels; c++) {
      const d = dy[r + c]!;
      sumDy[c]! += d;
      sumDyCentered[c]! += d * (xs[r + c]! - m[c]!);
    }
  }
  const o = f32(backend, out);
  o.set(sumDy);
  o.set(sumDyCentered, channels);
  return out;
}

function perChannel(t: tf.Tensor | undefined, channels: number): boolean {
  return t === undefined || (t.rank === 1 && t.shape[0] === channels && t.dtype === 'float32');
}

let original: tf.GradConfig | undefined;

/**
 * On the wasm backend, the gradient of `FusedBatchNorm` with per-channel statistics (the BatchNorm
 * layer's case) as one kernel for both per-channel sums plus one product for dx, instead of ~15
 * kernels. With r = 1/√(var + ε) and s the scale (the formulas of tfjs' own gradient):
 * `dx = dy·s·r`, `doffset = Σdy`, `dmean = −s·r·Σdy`, `dscale = r·Σdy(x−mean)`,
 * `dvariance = −½·s·r³·Σdy(x−mean)`. Every other backend, and other shapes, keep tfjs' gradient.
 */
export function registerBatchNormGradient(): void {
  const current = tf.getGradient('FusedBatchNorm');
  if (current === undefined || current.gradFunc === gradFunc) return;
  original = current;
  tf.registerGradient({ ...current, gradFunc });
}

function gradFunc(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): ReturnType<tf.GradFunc> {
  const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
  const grad = dy as tf.Tensor;
  const channels = x.shape[x.rank - 1] ?? 0;
  const fusable =
    tf.getBackend() === 'wasm' &&
    tf.getKernel(BATCH_NORM_GRAD_SUMS, 'wasm') !== undefined &&
    x.dtype === 'float32' &&
    x.rank >= 1 &&
    size(grad.shape) === size(x.shape) &&
    perChannel(mean, channels) &&
    perChannel(variance, channels) &&
    perChannel(scale ?? undefined, channels);
  if (!fusable) return original!.gradFunc(dy, saved, attrs);

  const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
  const r = tf.rsqrt(tf.add(variance, varianceEpsilon));
  const sr = scale == null ? r : tf.mul(scale, r);
  // Computed here, not per input: the gradient body runs in the backward pass's scope, so the
  // sums live until backprop ends and every input's gradient reuses the one pass.
  const [sumDy, sumDyCentered] = gradSums(x, mean as tf.Tensor1D, grad);
  return {
    x: () => tf.mul(grad, sr),
    mean: () => tf.mul(tf.neg(sr), sumDy),
    variance: () => tf.mul(tf.mul(-0.5, tf.mul(sr, tf.mul(r, r))), sumDyCentered),
    scale: () => tf.mul(r, sumDyCentered),
    offset: () => tf.clone(sumDy),
  };
}
