import * as tf from '@tensorflow/tfjs';

/**
 * Rows `ids` of `table`, with a scatter-add gradient. tfjs's own gradient of `gather` is
 * `unsortedSegmentSum`, which the cpu backend runs as one masked sum per vocabulary row: with BERT's
 * 30,522-token vocabulary that is tens of thousands of ops per step (21 s for a 2,536-row table here).
 * `scatterND` sums duplicate indices, so it is the same gradient in one op.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  // `ids` is an input (and saved) rather than captured, so it outlives the caller's tidy scope until
  // backprop runs; its own gradient is zero (it is an integer index).
  const lookup = tf.customGrad(((t: tf.Tensor, indices: tf.Tensor, save: tf.GradSaveFunc) => {
    save([indices]);
    const value = tf.gather(t, indices);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.scatterND(tf.expandDims(saved[0]!, 1), dy, t.shape),
        tf.zeros(saved[0]!.shape, 'float32'),
      ],
    };
    // tfjs types the custom function's arguments as one union; the two tensors and `save` come in this order.
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return lookup(table, ids) as tf.Tensor2D;
}
