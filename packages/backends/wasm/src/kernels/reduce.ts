import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, size } from './heap.js';
import { wasmKernel } from './originals.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap };

/** Widest reduction sent to XNNPACK's average pooling (MobileNet 1.0's widest BatchNorm has 1,024 channels). */
const MAX_POOLED_CHANNELS = 4096;

/**
 * `Mean` and `Sum` over leading axes (BatchNorm's statistics over N, H, W of an NHWC activation)
 * as one XNNPACK average pooling of the activation viewed as `[1, rows, 1, channels]` with a
 * `rows × 1` window. tfjs-backend-wasm first transposes the reduced axes innermost through a generic
 * transpose, 4× slower. Other reductions go to the original kernels.
 */
function reduceLeading(args: KernelArgs, kernelName: 'Sum' | 'Mean'): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.every((a, i) => a === i) && axes.length < x.shape.length;
  const rows = size(x.shape.slice(0, axes.length));
  const channels = size(x.shape.slice(axes.length));
  // Wide reductions (a [tokens, vocabulary] logit gradient summed over tokens, say) crashed inside XNNPACK's
  // pooling with a heap overrun; the fast path is kept to the BatchNorm-sized widths it was built for.
  if (x.dtype !== 'float32' || !leading || rows < 2 || channels === 0 || channels > MAX_POOLED_CHANNELS) {
    return wasmKernel(kernelName)(args) as tf.TensorInfo;
  }

  const out = wasmKernel('AvgPool')({
    inputs: { x: { ...x, shape: [1, rows, 1, channels] } },
    backend,
    attrs: { filterSize: [rows, 1], strides: [1, 1], pad: 'valid' },
  }) as tf.TensorInfo;
  const values = f32(backend, out);
  // XNNPACK clamps its outputs, turning NaN into ±∞; the original kernel propagates NaN and ∞ as
  // the cpu backend does, so any non-finite result is recomputed by it.
  if (values.some((v) => !Number.isFinite(v))) {
    backend.disposeData(out.dataId);
    return wasmKernel(kernelName)(args) as tf.TensorInfo;
  }
  if (kernelName === 'Sum') {
    for (let i = 0; i < values.length; i++) values[i] = values[i]! * rows;
  }
  const shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  return { ...out, shape };
}

export function sum(args: KernelArgs): tf.TensorInfo {
  return reduceLeading(args, 'Sum');
}

export function mean(args: KernelArgs): tf.TensorInfo {
  return reduceLeading(args, 'Mean');
}
