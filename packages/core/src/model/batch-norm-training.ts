import * as tf from '@tensorflow/tfjs';
import { activationGrad, type FusedActivation } from './fused-conv-gradient.js';

/**
 * Per channel (last axis), over all other axes, `[Σ dy, Σ dy·(x − mean)]` as one `[2, channels]` kernel: inputs
 * `x`, `mean` (`[channels]`), `dy`. @graft/backend-wasm registers it (one SIMD pass); elsewhere
 * {@link batchNormGradSums} computes it with tfjs ops.
 */
export const BATCH_NORM_GRAD_SUMS = 'GraftBatchNormGradSums';

/** {@link BATCH_NORM_GRAD_SUMS}: the backend's kernel where it has one, tfjs ops otherwise. */
export function batchNormGradSums(x: tf.Tensor, mean: tf.Tensor1D, dy: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  if (tf.getKernel(BATCH_NORM_GRAD_SUMS, tf.getBackend()) === undefined) {
    return [tf.sum(dy, axes), tf.sum(tf.mul(dy, tf.sub(x, mean)), axes)];
  }
  const sums = tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { x, mean, dy }, {}) as tf.Tensor2D;
  return tf.unstack(sums) as [tf.Tensor1D, tf.Tensor1D];
}

/** A BatchNorm on batch statistics and the activation after it, as the layers compute them. */
export interface TrainingNorm {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  epsilon: number;
  activation: FusedActivation;
  /** Called once with the batch's mean and (biased) variance: the layer's moving-average update. */
  update(mean: tf.Tensor1D, variance: tf.Tensor1D): void;
}

/**
 * `act(γ·(z − μ)/√(σ² + ε) + β)` with μ, σ² the batch's moments over every axis but the last (tfjs' BatchNorm in
 * training mode, same kernels forward), as one operation under a gradient tape. Its gradient is BatchNorm's
 * closed form (Ioffe & Szegedy 2015, §3): with `g = dy·act′`, `x̂ = (z − μ)·r`, `r = 1/√(σ² + ε)`, m rows,
 * `dβ = Σg`, `dγ = Σg·x̂`, `dz = γ·r·(g − Σg/m − x̂·Σg·x̂/m)`, from one pass for both sums and three per-channel
 * passes, where tfjs differentiates through the moments' ops (about forty kernels per layer).
 */
export function batchNormTrainingOnTape(z: tf.Tensor4D, norm: TrainingNorm): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(x, [0, 1, 2]) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
    norm.update(mean, variance);
    const normed = tf.batchNorm(x, mean, variance, beta, gamma, norm.epsilon);
    // As the layers compute it (`minimum(6, relu(x))`), which passes a NaN on where a clamp may not.
    const y = norm.activation === 'relu6' ? tf.minimum(6, tf.relu(normed)) : norm.activation === 'relu' ? tf.relu(normed) : normed;
    save([x, y, mean, variance, gamma]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [xs, ys, mu, sigma2, g] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const grad = activationGrad(dy as tf.Tensor, ys, norm.activation);
        const [sumG, sumGCentered] = batchNormGradSums(xs, mu, grad);
        const rows = xs.size / xs.shape[3];
        const r = tf.rsqrt(tf.add(sigma2, norm.epsilon));
        const a = tf.mul(g, r);
        // dz = a·grad + b·x + c, per channel: b = −a·r²·Σg(z − μ)/m, c = −a·Σg/m − b·μ.
        const b = tf.mul(tf.neg(a), tf.mul(tf.square(r), tf.div(sumGCentered, rows)));
        const c = tf.sub(tf.mul(tf.neg(a), tf.div(sumG, rows)), tf.mul(b, mu));
        const dz = tf.add(tf.add(tf.mul(grad, a), tf.mul(xs, b)), c);
        return [dz, tf.mul(sumGCentered, r), sumG];
      },
    };
  });
  return op(z, norm.gamma, norm.beta) as tf.Tensor4D;
}
