import { stepTasks, type StepInfo } from '@graft/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Per-task gradients stacked as rows `[T, P]`, with their Gram matrix `M[i][j] = g_i · g_j` on the host.
 * Every gradient method here decides on T×T numbers and then returns a weighted sum of the rows, so the
 * device does two matrix products per step whatever the method, and the weights are exact for logs.
 */
export interface StackedGradients {
  /** Rows are the task gradients. Owned by the caller of {@link stackGradients}; dispose it. */
  rows: tf.Tensor2D;
  gram: number[][];
}

/**
 * Reads the Gram matrix back with `await data()`: WebGPU in Node has no synchronous read, and awaiting
 * lets the other backends overlap the transfer with other work.
 */
export async function stackGradients(grads: readonly tf.Tensor1D[]): Promise<StackedGradients> {
  const rows = tf.stack(grads as tf.Tensor1D[]) as tf.Tensor2D;
  const product = tf.matMul(rows, rows, false, true);
  let flat: tf.TypedArray;
  try {
    flat = await product.data<'float32'>();
  } catch (error) {
    rows.dispose();
    throw error;
  } finally {
    product.dispose();
  }
  const t = grads.length;
  const gram: number[][] = [];
  for (let i = 0; i < t; i++) gram.push(Array.from(flat.subarray(i * t, (i + 1) * t)));
  return { rows, gram };
}

/** Σ_i c_i g_i as a `[P]` vector. */
export function weightedSum(rows: tf.Tensor2D, coefficients: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => tf.matMul(tf.tensor2d([coefficients as number[]], [1, coefficients.length]), rows).reshape([-1]) as tf.Tensor1D);
}

/** Stack, decide the coefficients from the Gram matrix, combine, and free the stack. */
export async function combineByGram(grads: readonly tf.Tensor1D[], decide: (gram: number[][]) => number[]): Promise<tf.Tensor1D> {
  const stacked = await stackGradients(grads);
  try {
    return weightedSum(stacked.rows, decide(stacked.gram));
  } finally {
    stacked.rows.dispose();
  }
}

/** `M v` for a small dense matrix. */
export function matVec(m: readonly (readonly number[])[], v: readonly number[]): number[] {
  return m.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Per-task values of a step's present tasks spread into config order, absent tasks at 0 (for `currentWeights`). */
export function inTaskOrder(values: readonly number[], step: StepInfo | undefined, count: number): number[] {
  const out = new Array<number>(count).fill(0);
  stepTasks(step, count).forEach((i, k) => (out[i] = values[k]!));
  return out;
}
