import * as tf from '@tensorflow/tfjs';

/**
 * A tensor flowing through an imported graph. ONNX images are NCHW; tfjs convolutions want NHWC, so every
 * 4-D activation is kept NHWC (`nhwc: true`) and ops that read axes (Concat, Flatten, Reshape, Pad) translate.
 */
export interface Value {
  t: tf.Tensor;
  nhwc: boolean;
}

/** NCHW axis → NHWC axis for 4-D tensors. */
export const NHWC_AXIS = [0, 3, 1, 2] as const;

/** The tensor in ONNX (NCHW) layout. */
export function toOnnxLayout(v: Value): tf.Tensor {
  return v.nhwc ? tf.transpose(v.t, [0, 3, 1, 2]) : v.t;
}

/** A tensor in ONNX layout as a value: 4-D tensors become NHWC. */
export function fromOnnxLayout(t: tf.Tensor): Value {
  return t.rank === 4 ? { t: tf.transpose(t, [0, 2, 3, 1]), nhwc: true } : { t, nhwc: false };
}

/** `other` (ONNX layout, rank ≤ 4) made to broadcast against an NHWC 4-D tensor the way it did against NCHW. */
export function broadcastLikeNhwc(other: Value): tf.Tensor {
  if (other.nhwc) return other.t;
  if (other.t.rank === 0) return other.t;
  const shape = [...Array(4 - other.t.rank).fill(1), ...other.t.shape];
  return tf.transpose(tf.reshape(other.t, shape), [0, 2, 3, 1]);
}

/** Both operands of an element-wise op in one layout. */
export function alignBinary(a: Value, b: Value): [tf.Tensor, tf.Tensor, boolean] {
  if (a.nhwc === b.nhwc) return [a.t, b.t, a.nhwc];
  return a.nhwc ? [a.t, broadcastLikeNhwc(b), true] : [broadcastLikeNhwc(a), b.t, true];
}
