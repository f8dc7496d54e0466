import * as tf from '@tensorflow/tfjs';

/**
 * ReLU-type gradients as one kernel: inputs `dy`, `x` (same shape, float32) and, for modes `below` and
 * `between`, a scalar `bound`; attr `mode`. Output, with `step(v)` 1 for v > 0, NaN for NaN, 0 otherwise:
 * - `positive`: `dy·step(x)`, ReLU's gradient;
 * - `below`: `dy·step(bound − x)`, the gradient of `minimum(bound, x)` with respect to x;
 * - `between`: `dy·step(x)·step(bound − x)`, relu6's gradient (bound 6) masked by its input or its output.
 * A backend that registers it (@graft/backend-wasm) computes it in one pass; elsewhere {@link maskedGrad}
 * runs the same float32 operations, in the same order, as tfjs kernels.
 */
export const MASKED_GRAD = 'GraftMaskedGrad';

export type MaskedGradMode = 'positive' | 'below' | 'between';

/** The {@link MASKED_GRAD} of `dy` by `x`: the backend's kernel where it has one, tfjs ops otherwise. */
export function maskedGrad(dy: tf.Tensor, x: tf.Tensor, mode: MaskedGradMode, bound = 6): tf.Tensor {
  return tf.tidy(() => {
    const b = tf.scalar(bound);
    if (tf.getKernel(MASKED_GRAD, tf.getBackend()) !== undefined) {
      const inputs: tf.NamedTensorMap = mode === 'positive' ? { dy, x } : { dy, x, bound: b };
      return tf.engine().runKernel(MASKED_GRAD, inputs, { mode }) as tf.Tensor;
    }
    if (mode === 'positive') return tf.mul(dy, tf.step(x));
    const below = tf.step(tf.sub(b, x));
    return mode === 'below' ? tf.mul(dy, below) : tf.mul(tf.mul(dy, tf.step(x)), below);
  });
}
