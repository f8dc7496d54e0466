import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCpuAndWebGpu, randomHost, relativeError, runOn, webgpuForTests, type Host } from './test-support/webgpu.js';

const TOLERANCE = 1e-3; // relative to the largest |value|: float32 shaders sum in a different order than the cpu

/** The same computation on cpu and on webgpu, and the worst relative error over its outputs. */
async function worstError(inputs: Host[], compute: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', inputs, compute);
  const actual = await runOn('webgpu', inputs, compute);
  expect(actual.length).toBe(expected.length);
  return Math.max(...actual.map((a, i) => relativeError(a, expected[i]!)));
}

/** Output and both input gradients of `op`, weighted by a random upstream gradient `dy`. */
function withGradients(op: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D) {
  return (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor): tf.Tensor[] => {
    const y = op(x as tf.Tensor4D, w as tf.Tensor4D);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy).sum())([x, w]);
    return [y, dx!, dw!];
  };
}

const runs = await webgpuForTests();

describe.skipIf(!runs)('webgpu kernels match the cpu backend (Mesa llvmpipe here, ≤1e-3 relative)', () => {
  beforeAll(async () => {
    await initCpuAndWebGpu();
    // Small tensors would otherwise be handed to tfjs's CPU kernels; test the shaders.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  });
  afterAll(() => tf.env().reset());

  it.each([
    { x: [2, 7, 7, 3], w: [3, 3, 3, 4], stride: 1, pad: 'same' as const },
    { x: [2, 7, 7, 3], w: [3, 3, 3, 4], stride: 2, pad: 'valid' as const },
    { x: [1, 6, 6, 2], w: [1, 1, 2, 5], stride: 1, pad: 'valid' as const },
  ])('conv2d and its gradients: x $x, filter $w, stride $stride, $pad', async ({ x, w, stride, pad }) => {
    const op = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, stride, pad);
    const yShape = tf.tidy(() => op(tf.zeros(x) as tf.Tensor4D, tf.zeros(w) as tf.Tensor4D).shape);
    const error = await worstError([randomHost(x, 1), randomHost(w, 2), randomHost(yShape, 3)], withGradients(op));
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('dilated conv2d, forward (tfjs has no gradient for dilations > 1 on any backend)', async () => {
    const error = await worstError([randomHost([1, 8, 8, 2], 11), randomHost([3, 3, 2, 3], 12)], (a, b) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    );
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each([
    { x: [2, 6, 6, 3], w: [3, 3, 3, 1], stride: 1, pad: 'same' as const },
    { x: [2, 7, 7, 3], w: [3, 3, 3, 2], stride: 2, pad: 'valid' as const },
  ])('depthwise conv2d and its gradients: x $x, filter $w, stride $stride, $pad', async ({ x, w, stride, pad }) => {
    const op = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, stride, pad);
    const yShape = tf.tidy(() => op(tf.zeros(x) as tf.Tensor4D, tf.zeros(w) as tf.Tensor4D).shape);
    const error = await worstError([randomHost(x, 4), randomHost(w, 5), randomHost(yShape, 6)], withGradients(op));
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each([
    { a: [5, 7], b: [7, 3], transposeB: false },
    { a: [2, 9, 16], b: [2, 12, 16], transposeB: true },
  ])('matMul $a × $b (transposeB: $transposeB)', async ({ a, b, transposeB }) => {
    const error = await worstError([randomHost(a, 7), randomHost(b, 8)], (p, q) => tf.matMul(p, q, false, transposeB));
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('would notice a wrong result: a conv2d with the filter shifted by one element is far off', async () => {
    const x = randomHost([1, 5, 5, 2], 9);
    const w = randomHost([3, 3, 2, 2], 10);
    const expected = await runOn('cpu', [x, w], (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
    const shifted = { values: Float32Array.from(w.values, (_, i) => w.values[(i + 1) % w.values.length]!), shape: w.shape };
    const actual = await runOn('webgpu', [x, shifted], (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
    expect(relativeError(actual[0]!, expected[0]!)).toBeGreaterThan(100 * TOLERANCE);
  });
});
