import * as tf from '@tensorflow/tfjs';

/** Scale the gradients so their global L2 norm is at most `maxNorm` (Pascanu et al., ICML 2013). */
export async function clipGlobalNorm(grads: Map<tf.Variable, tf.Tensor>, maxNorm: number): Promise<void> {
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
  const norm = (await normTensor.data())[0]!;
  normTensor.dispose();
  if (norm <= maxNorm) return;
  for (const [v, g] of grads) {
    grads.set(v, tf.mul(g, maxNorm / norm));
    g.dispose();
  }
}
