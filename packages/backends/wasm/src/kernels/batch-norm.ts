import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, f32, free, releaseView, size, view } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap };

/**
 * `FusedBatchNorm` with per-channel statistics (the BatchNorm layer's case, in training and inference
 * mode) as two XNNPACK passes: `d = x − mean` (a subtraction broadcasting the means), then
 * `y = d·(s·r) + offset` with r = 1/√(var + ε), a 1×1 depthwise convolution (filter = the factors,
 * bias = the offsets) for which XNNPACK has a dedicated SIMD kernel (`vmulcaddc`, the one it uses for
 * folded BatchNorm). Centring first keeps tfjs' rounding: a single `x·f + (offset − mean·f)` cancels
 * catastrophically where a channel's mean is large against its spread (nearly constant channels in
 * training mode), and that changed training runs. tfjs-backend-wasm's own kernel, a scalar loop, was
 * half of MobileNet's inference time. Other shapes (broadcast statistics, non-float32) go to it.
 * Where the engine has WebAssembly SIMD, Graft's kernel (simd/batch-norm.ts) does both steps in one
 * pass with the same float32 operations, and no XNNPACK operator is created per call.
 */
export function fusedBatchNorm(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const parts = ['mean', 'variance', 'offset', 'scale'].map((n) => inputs[n]);
  const perChannel = (t: tf.TensorInfo | undefined): boolean =>
    t === undefined || t === null || (t.shape.length === 1 && t.shape[0] === channels && t.dtype === 'float32');
  if (x.dtype !== 'float32' || x.shape.length < 1 || channels === 0 || !parts.every(perChannel) || !parts[0] || !parts[1]) {
    return wasmKernel('FusedBatchNorm')(args) as tf.TensorInfo;
  }
  const epsilon = Number(attrs?.['varianceEpsilon'] ?? 0.001);
  const rows = size(x.shape) / channels;
  const simd = simdKernels(backend);
  const params = allocate(backend, [2, channels]);
  const [variance, offset, scale] = parts.slice(1).map((t) => (t ? f32(backend, t) : undefined));
  const factor = f32(backend, params).subarray(0, channels);
  const shift = f32(backend, params).subarray(channels);
  for (let c = 0; c < channels; c++) {
    // As tfjs: scale times the float32 rsqrt of (var + ε).
    factor[c] = (scale ? scale[c]! : 1) * Math.fround(1 / Math.sqrt(Math.fround(variance![c]! + epsilon)));
    shift[c] = offset ? offset[c]! : 0;
  }
  if (simd !== undefined) {
    const out = allocate(backend, x.shape);
    simd.batchNormForward(byteOffset(backend, x), byteOffset(backend, parts[0]), byteOffset(backend, params), byteOffset(backend, out), rows, channels);
    free(backend, params);
    return out;
  }
  const asImage = (t: tf.TensorInfo): tf.TensorInfo => ({ ...t, shape: [1, rows, 1, channels] });
  const centred = wasmKernel('Sub')({ inputs: { a: asImage(x), b: parts[0] }, backend, attrs: {} }) as tf.TensorInfo;
  // Views into params: the depthwise convolution takes the factors as its filter and the shifts as its bias.
  const filter = view(backend, params, 0, [1, 1, channels, 1]);
  const bias = view(backend, params, channels, [channels]);
  const out = wasmKernel('FusedDepthwiseConv2D')({
    inputs: { x: asImage(centred), filter, bias },
    backend,
    attrs: { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', activation: 'linear' },
  }) as tf.TensorInfo;
  // Releasing the filter also drops the XNNPACK operator tfjs-backend-wasm cached on it.
  free(backend, centred);
  releaseView(backend, filter);
  releaseView(backend, bias);
  free(backend, params);
  return { ...out, shape: x.shape };
}
