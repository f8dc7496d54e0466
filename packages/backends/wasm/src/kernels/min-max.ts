import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, f32, free, size } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap };

/**
 * `Minimum` and `Maximum` against a finite scalar as the backend's XNNPACK clamp. Keras' relu6 is
 * `minimum(6, relu(x))`, once per layer in MobileNet's forward pass, and tfjs-backend-wasm's
 * generic broadcasting kernel takes ~15 ns per element for it. Inputs holding NaN are left to the
 * original kernel (it returns NaN; the clamp does not). Where the engine has WebAssembly SIMD, Graft's
 * kernel (simd/activation.ts) does it in one pass that passes NaN on, with no scan for NaN first; a
 * zero bound (whose sign tfjs' Math.min semantics would make matter) and a NaN bound keep the paths below.
 */
function againstScalar(args: KernelArgs, kernelName: 'Minimum' | 'Maximum'): tf.TensorInfo {
  const { inputs, backend } = args;
  const a = inputs['a']!;
  const b = inputs['b']!;
  const scalarFirst = size(a.shape) === 1 && a.shape.length <= b.shape.length;
  const scalarSecond = size(b.shape) === 1 && b.shape.length <= a.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(scalarFirst || scalarSecond)) {
    return wasmKernel(kernelName)(args) as tf.TensorInfo;
  }
  const [scalar, x] = scalarSecond ? [b, a] : [a, b];
  const bound = f32(backend, scalar)[0]!;
  const simd = simdKernels(backend);
  if (simd !== undefined && bound !== 0 && !Number.isNaN(bound)) {
    const out = allocate(backend, x.shape);
    simd.clampScalar(byteOffset(backend, x), byteOffset(backend, out), size(x.shape), bound, kernelName === 'Maximum' ? 1 : 0);
    return out;
  }
  if (!Number.isFinite(bound) || mayHoldNaN(backend, x)) return wasmKernel(kernelName)(args) as tf.TensorInfo;
  const [clipValueMin, clipValueMax] = kernelName === 'Minimum' ? [-Infinity, bound] : [bound, Infinity];
  const out = wasmKernel('ClipByValue')({ inputs: { x }, backend, attrs: { clipValueMin, clipValueMax } }) as tf.TensorInfo;
  return { ...out, shape: x.shape };
}

/**
 * Whether `x` may hold a NaN: its per-channel means (one XNNPACK average pooling, far cheaper than a
 * JS scan) are then not finite. Infinities also make them so; those go to the original too.
 */
function mayHoldNaN(backend: BackendWasm, x: tf.TensorInfo): boolean {
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const rows = size(x.shape) / channels;
  if (rows < 2) return f32(backend, x).some((v) => Number.isNaN(v));
  const means = wasmKernel('AvgPool')({
    inputs: { x: { ...x, shape: [1, rows, 1, channels] } },
    backend,
    attrs: { filterSize: [rows, 1], strides: [1, 1], pad: 'valid' },
  }) as tf.TensorInfo;
  // XNNPACK clamps its outputs, which turns a NaN into ±∞: treat any non-finite mean as suspect.
  const suspect = f32(backend, means).some((v) => !Number.isFinite(v));
  free(backend, means);
  return suspect;
}

export function minimum(args: KernelArgs): tf.TensorInfo {
  return againstScalar(args, 'Minimum');
}

export function maximum(args: KernelArgs): tf.TensorInfo {
  return againstScalar(args, 'Maximum');
}
