import { MASKED_GRAD, type MaskedGradMode } from '@graft/core';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, f32, free, size } from './heap.js';
import { wasmKernel } from './originals.js';
import { simdKernels } from './simd.js';

/**
 * Core's {@link MASKED_GRAD} on wasm: `dy` times a 0/1 mask of `x`, from the backend's fast kernels (a
 * step, a product; a subtraction before the step against a bound). `positive` is ReLU's gradient
 * `dy·step(x)`; `below` is the gradient of `minimum(bound, x)` with respect to x, `dy·[bound > x]`
 * = `dy·step(bound − x)` (exactly: a float difference is positive iff the first operand is larger;
 * tfjs' tie rule gives the first operand the gradient); `between` is both, relu6's gradient from its
 * output (a folded convolution's, fused-conv-gradient.ts in core). tfjs builds the second from a
 * comparison, a cast to float and a product, and Keras' relu6 (`minimum(6, relu(x))`) runs both after
 * every convolution of MobileNet. Where the engine has WebAssembly SIMD, one pass of Graft's kernel
 * (simd/activation.ts) does the same float32 operations in place of those two to five passes.
 */
export function maskedGrad(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const dy = inputs['dy']!;
  const mode = attrs?.['mode'] as MaskedGradMode;
  const simd = simdKernels(backend);
  if (simd !== undefined) {
    const out = allocate(backend, x.shape);
    const bound = mode === 'positive' ? 0 : f32(backend, inputs['bound']!)[0]!;
    const code = { positive: 0, below: 1, between: 2 }[mode];
    simd.maskedGrad(byteOffset(backend, dy), byteOffset(backend, x), byteOffset(backend, out), size(x.shape), code, bound);
    return out;
  }
  // The mask freed once multiplied in.
  const times = (a: tf.TensorInfo, mask: tf.TensorInfo): tf.TensorInfo => {
    const out = wasmKernel('Multiply')({ inputs: { a, b: { ...mask, shape: x.shape } }, backend, attrs: {} }) as tf.TensorInfo;
    free(backend, mask);
    return out;
  };
  const step = (v: tf.TensorInfo): tf.TensorInfo => wasmKernel('Step')({ inputs: { x: v }, backend, attrs: { alpha: 0 } }) as tf.TensorInfo;
  const belowMask = (): tf.TensorInfo => {
    const d = wasmKernel('Sub')({ inputs: { a: inputs['bound']!, b: x }, backend, attrs: {} }) as tf.TensorInfo;
    const mask = step(d);
    free(backend, d);
    return mask;
  };
  if (mode === 'below') return times(dy, belowMask());
  const positive = times(dy, step(x));
  if (mode === 'positive') return positive;
  const out = times(positive, belowMask());
  free(backend, positive);
  return out;
}

const originals = new Map<string, tf.GradConfig>();

function fusable(x: tf.Tensor, dy: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'wasm' &&
    tf.getKernel(MASKED_GRAD, 'wasm') !== undefined &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    tf.util.arraysEqual(x.shape, dy.shape)
  );
}

function reluGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): ReturnType<tf.GradFunc> {
  const [x] = saved as [tf.Tensor];
  const grad = dy as tf.Tensor;
  if (!fusable(x, grad)) return originals.get('Relu')!.gradFunc(dy, saved, attrs);
  return { x: () => tf.engine().runKernel(MASKED_GRAD, { dy: grad, x }, { mode: 'positive' }) as tf.Tensor };
}

/** Fused for `minimum(bound, x)` with a scalar bound (Keras' relu6), x's gradient; every other case keeps tfjs'. */
function minimumGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): ReturnType<tf.GradFunc> {
  const [a, b] = saved as [tf.Tensor, tf.Tensor];
  const grad = dy as tf.Tensor;
  const original = originals.get('Minimum')!.gradFunc(dy, saved, attrs);
  if (a.dtype !== 'float32' || a.size !== 1 || a.rank > b.rank || !fusable(b, grad)) return original;
  return { ...original, b: () => tf.engine().runKernel(MASKED_GRAD, { dy: grad, x: b, bound: a }, { mode: 'below' }) as tf.Tensor };
}

const replacements: Record<string, tf.GradFunc> = { Relu: reluGrad, Minimum: minimumGrad };

/**
 * On the wasm backend, ReLU's and `minimum(scalar, x)`'s gradients as one {@link MASKED_GRAD}
 * kernel each; every other backend and case keeps tfjs' gradient. Idempotent.
 */
export function registerActivationGradients(): void {
  for (const [kernelName, gradFunc] of Object.entries(replacements)) {
    const current = tf.getGradient(kernelName);
    if (current === undefined || current.gradFunc === gradFunc) continue;
    originals.set(kernelName, current);
    tf.registerGradient({ ...current, gradFunc });
  }
}
