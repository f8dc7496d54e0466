import type * as tfjs from '@tensorflow/tfjs';

export interface TinyBertShape {
  vocab: number;
  width: number;
  heads: number;
  sequence: number;
  classes: number;
}

/** Parameter shapes of a one-layer BERT-style encoder with a classifier on the first token. */
export function tinyBertParameterShapes(s: TinyBertShape): Record<string, number[]> {
  return {
    tokenEmbedding: [s.vocab, s.width],
    positionEmbedding: [s.sequence, s.width],
    ln1Gamma: [s.width],
    ln1Beta: [s.width],
    wq: [s.width, s.width],
    wk: [s.width, s.width],
    wv: [s.width, s.width],
    wo: [s.width, s.width],
    ln2Gamma: [s.width],
    ln2Beta: [s.width],
    w1: [s.width, 4 * s.width],
    b1: [4 * s.width],
    w2: [4 * s.width, s.width],
    b2: [s.width],
    classifier: [s.width, s.classes],
  };
}

function layerNorm(tf: typeof tfjs, x: tfjs.Tensor, gamma: tfjs.Tensor, beta: tfjs.Tensor): tfjs.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-12))), gamma), beta);
}

/** GELU, tanh approximation (Hendrycks & Gimpel, 2016, §2), as BERT uses it. */
function gelu(tf: typeof tfjs, x: tfjs.Tensor): tfjs.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/**
 * Logits of a one-layer BERT-style encoder (Devlin et al., 2019): token + position embeddings,
 * LayerNorm, multi-head self-attention (batched matmuls, softmax), LayerNorm, GELU feed-forward,
 * and a linear classifier on the first token. Built from tf ops so it exercises the embedding
 * gradient (UnsortedSegmentSum) and transposed/batched matmul gradients.
 */
export function tinyBertLogits(
  tf: typeof tfjs,
  s: TinyBertShape,
  p: Record<string, tfjs.Tensor>,
  tokenIds: tfjs.Tensor2D,
): tfjs.Tensor {
  const [batch] = tokenIds.shape;
  const headWidth = s.width / s.heads;
  let h = tf.add(tf.gather(p['tokenEmbedding']!, tokenIds), p['positionEmbedding']!);
  h = layerNorm(tf, h, p['ln1Gamma']!, p['ln1Beta']!);
  const flat = tf.reshape(h, [batch * s.sequence, s.width]);
  const heads = (w: tfjs.Tensor): tfjs.Tensor =>
    tf.transpose(tf.reshape(tf.matMul(flat, w as tfjs.Tensor2D), [batch, s.sequence, s.heads, headWidth]), [0, 2, 1, 3]);
  const q = heads(p['wq']!);
  const k = heads(p['wk']!);
  const v = heads(p['wv']!);
  const attention = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headWidth)));
  const context = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [batch * s.sequence, s.width]);
  h = layerNorm(tf, tf.add(flat, tf.matMul(context, p['wo']! as tfjs.Tensor2D)), p['ln2Gamma']!, p['ln2Beta']!);
  const ff = tf.add(tf.matMul(gelu(tf, tf.add(tf.matMul(h as tfjs.Tensor2D, p['w1']! as tfjs.Tensor2D), p['b1']!)), p['w2']! as tfjs.Tensor2D), p['b2']!);
  h = tf.add(h, ff);
  const first = tf.reshape(tf.slice(tf.reshape(h, [batch, s.sequence, s.width]), [0, 0, 0], [batch, 1, s.width]), [batch, s.width]);
  return tf.matMul(first as tfjs.Tensor2D, p['classifier']! as tfjs.Tensor2D);
}
