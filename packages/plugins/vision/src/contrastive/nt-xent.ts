import * as tf from '@tensorflow/tfjs';

/**
 * NT-Xent, SimCLR's normalized temperature-scaled cross-entropy (Chen et al. 2020, Eq. 1 and Algorithm 1).
 * `z` is `[2N, D]`: rows i and i + N are two augmented views of sample i. Each row's positive is its other
 * view; the other 2N − 2 rows are its negatives. Cosine similarities divided by `temperature`; the loss is
 * the mean over all 2N rows of −log softmax at the positive, the row's own similarity excluded.
 */
export function ntXent(z: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const rows = z.shape[0];
    const n = rows / 2;
    const unit = tf.div(z, tf.maximum(tf.norm(z, 'euclidean', 1, true), 1e-12));
    const similarity = tf.div(tf.matMul(unit, unit, false, true), temperature);
    // exp(−1e9) is 0: the row's similarity with itself never enters the softmax.
    const self = tf.mul(tf.eye(rows), 1e9);
    const logProbs = tf.logSoftmax(tf.sub(similarity, self));
    const positives = tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, i) => (i + n) % rows), 'int32'), rows);
    return tf.neg(tf.div(tf.sum(tf.mul(logProbs, positives)), rows)) as tf.Scalar;
  });
}
