import * as tf from '@tensorflow/tfjs';

/** Σ w_i L_i, differentiable in the losses (weights are constants). */
export function weightedLoss(losses: readonly tf.Scalar[], weights: readonly number[]): tf.Scalar {
  return tf.tidy(() => tf.addN(losses.map((l, i) => tf.mul(l, weights[i]!))) as tf.Scalar);
}
